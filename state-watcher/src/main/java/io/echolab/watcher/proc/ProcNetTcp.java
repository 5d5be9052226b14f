package io.echolab.watcher.proc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;

/**
 * Reads the kernel's TCP socket tables, /proc/net/tcp and /proc/net/tcp6 (net/ipv4/tcp_ipv4.c,
 * net/ipv6/tcp_ipv6.c): every socket of one network namespace, TIME_WAIT rows included.
 */
public final class ProcNetTcp {

    /** USER_HZ: {@code tm->when} counts clock ticks of 1/100 s whatever the kernel's own HZ. */
    static final int USER_HZ = 100;

    /**
     * Fields every row kind has: full sockets print 17, time-wait and request sockets 12
     * (sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode, refcnt, pointer).
     */
    private static final int MIN_FIELDS = 12;

    private static final Pattern BLANKS = Pattern.compile("\\s+");
    private static final Pattern HEADER = Pattern.compile("\\s+sl\\s.*");
    private static final Pattern SLOT = Pattern.compile("\\d+:");
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,18}");

    private ProcNetTcp() {
    }

    /**
     * Reads {@code procRoot/net/tcp}, then {@code procRoot/net/tcp6}, in the kernel's order: every row.
     *
     * @param procRoot {@code /proc} for this namespace, {@code /proc/PID} for PID's, or a fixture directory
     * @throws NoSuchFileException      if {@code net/tcp} is missing (no such process); a missing
     *                                  {@code net/tcp6} (IPv6 disabled at boot) just means no IPv6 rows
     * @throws MalformedProcRowException naming the file and the line
     */
    public static List<TcpSocket> read(Path procRoot) throws IOException {
        return new ProcNetTcpReader(procRoot, Set.of()).read();
    }

    /**
     * Parses the lines of one table; the header, if the first line has its shape, is skipped.
     *
     * @param proto {@code tcp} (8 hex digit addresses) or {@code tcp6} (32)
     * @throws MalformedProcRowException on the first line that is not a socket row, naming it
     */
    public static List<TcpSocket> parse(List<String> lines, String proto) throws MalformedProcRowException {
        return parse(lines, proto, Set.of());
    }

    /**
     * As {@link #parse(List, String)}, keeping only the rows with one of {@code ports} at either end (all rows
     * when it is empty). A row is checked for its ports before it is parsed, so the others cost little; a row
     * whose ports cannot be read is malformed whatever they would have been.
     */
    public static List<TcpSocket> parse(List<String> lines, String proto, Set<Integer> ports)
            throws MalformedProcRowException {
        int addressDigits = switch (proto) {
            case "tcp" -> 8;
            case "tcp6" -> 32;
            default -> throw new IllegalArgumentException("proto must be tcp or tcp6, not " + proto);
        };
        List<TcpSocket> sockets = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && HEADER.matcher(line).matches()) {
                continue;
            }
            try {
                if (!ports.isEmpty() && !hasPort(line, ports)) {
                    continue;
                }
                sockets.add(parseRow(line, proto, addressDigits));
            } catch (IllegalArgumentException e) {
                throw new MalformedProcRowException(proto, i + 1, line, e.getMessage());
            }
        }
        return sockets;
    }

    /**
     * Whether the row's local or remote port is one of {@code ports}, read from the row's second and third
     * fields ({@code ADDRESS:PORT}, the port in 4 hex digits) without parsing the rest.
     *
     * @throws IllegalArgumentException when the row has no such fields
     */
    static boolean hasPort(String line, Set<Integer> ports) {
        int n = line.length();
        int i = 0;
        for (int field = 0; field < 3; field++) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < n && line.charAt(i) != ' ') {
                i++;
            }
            if (field > 0) {
                int colon = line.lastIndexOf(':', i - 1);
                if (colon < start || i - colon != 5 || !isHex(line.substring(colon + 1, i))) {
                    throw new IllegalArgumentException("bad " + (field == 1 ? "local" : "remote") + " address '"
                            + line.substring(start, i) + "'");
                }
                if (ports.contains(Integer.parseInt(line, colon + 1, i, 16))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One row; an IllegalArgumentException says what is wrong with it. */
    private static TcpSocket parseRow(String line, String proto, int addressDigits) {
        String[] f = BLANKS.split(line.strip());
        if (f.length < MIN_FIELDS) {
            throw new IllegalArgumentException("truncated row: " + f.length + " fields, expected at least " + MIN_FIELDS);
        }
        if (!SLOT.matcher(f[0]).matches()) {
            throw new IllegalArgumentException("bad slot '" + f[0] + "'");
        }
        InetSocketAddress local = address(f[1], addressDigits, "local address");
        InetSocketAddress remote = address(f[2], addressDigits, "remote address");
        TcpState state = TcpState.fromProcCode((int) hex(f[3], 2, 2, "state"));
        String[] queues = pair(f[4], "tx_queue:rx_queue");
        String[] timer = pair(f[5], "tr:tm->when");
        return new TcpSocket(proto, local, remote, state,
                hex(queues[0], 8, 8, "tx_queue"), hex(queues[1], 8, 8, "rx_queue"),
                TimerKind.fromProcCode((int) hex(timer[0], 2, 2, "timer")), ticks(hex(timer[1], 8, 16, "tm->when")),
                (int) bounded(hex(f[6], 8, 8, "retrnsmt"), Integer.MAX_VALUE, "retrnsmt"),
                (int) bounded(decimal(f[8], "timeout"), Integer.MAX_VALUE, "timeout"),
                (int) bounded(decimal(f[7], "uid"), 0xFFFF_FFFFL, "uid"), decimal(f[9], "inode"), 0);
    }

    /** {@code 0100007F:2BE1}: the address as the kernel's 32-bit words, the port in plain hex. */
    private static InetSocketAddress address(String field, int digits, String what) {
        String[] parts = field.split(":", -1);
        if (parts.length != 2 || parts[0].length() != digits || parts[1].length() != 4
                || !isHex(parts[0]) || !isHex(parts[1])) {
            throw new IllegalArgumentException("bad " + what + " '" + field + "'");
        }
        byte[] bytes = new byte[digits / 2];
        for (int word = 0; word < digits / 8; word++) {
            // Each word is a __be32 printed with %08X on a little-endian machine: its bytes come reversed.
            long value = Long.parseLong(parts[0].substring(word * 8, word * 8 + 8), 16);
            for (int b = 0; b < 4; b++) {
                bytes[word * 4 + b] = (byte) (value >>> (8 * b));
            }
        }
        return new InetSocketAddress(inetAddress(bytes), Integer.parseInt(parts[1], 16));
    }

    /** The address; InetAddress turns an IPv4-mapped one ({@code ::ffff:a.b.c.d}) into plain IPv4. */
    private static InetAddress inetAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    /** {@code tm->when} is in USER_HZ ticks. */
    private static Duration ticks(long ticks) {
        if (ticks < 0) {
            // A 64-bit value past Long.MAX_VALUE: an old kernel printing an overdue timer as negative.
            // 6.x clamps it to 0 (jiffies_delta_to_clock_t), so "due now" reads the same either way.
            return Duration.ZERO;
        }
        return Duration.ofSeconds(ticks / USER_HZ, (ticks % USER_HZ) * (1_000_000_000L / USER_HZ));
    }

    private static String[] pair(String field, String what) {
        String[] parts = field.split(":", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("bad " + what + " '" + field + "'");
        }
        return parts;
    }

    private static long hex(String text, int minDigits, int maxDigits, String what) {
        if (text.length() < minDigits || text.length() > maxDigits || !isHex(text)) {
            throw new IllegalArgumentException("bad " + what + " '" + text + "'");
        }
        return Long.parseUnsignedLong(text, 16);
    }

    private static boolean isHex(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128);
    }

    private static long decimal(String text, String what) {
        if (!DECIMAL.matcher(text).matches()) {
            throw new IllegalArgumentException("bad " + what + " '" + text + "'");
        }
        return Long.parseLong(text);
    }

    private static long bounded(long value, long max, String what) {
        if (value > max) {
            throw new IllegalArgumentException(what + " " + value + " is out of range");
        }
        return value;
    }
}
