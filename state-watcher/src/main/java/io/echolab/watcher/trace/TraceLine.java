package io.echolab.watcher.trace;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.echolab.watcher.model.TcpState;

/**
 * Reads the lines tracefs prints for sock:inet_sock_set_state (include/trace/events/sock.h, default print
 * format):
 *
 * <pre>
 *   COMM-PID [CPU] FLAGS SECONDS.MICROS: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=47011
 *   dport=50320 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1
 *   oldstate=TCP_LISTEN newstate=TCP_SYN_RECV
 * </pre>
 *
 * (one line). The time is the trace clock's, in microseconds. COMM may hold blanks and dashes, so the header
 * is read from its end: the timestamp, the flags (irq-info: the third is {@code s} in a softirq, {@code h}
 * or {@code H} in a hard irq, {@code .} in process context), the CPU, and the pid after COMM's last dash.
 * Pure: no I/O.
 */
public final class TraceLine {

    private static final String EVENT = ": inet_sock_set_state: ";
    private static final Pattern HEADER =
            Pattern.compile("^(.*)-(\\d+)\\s+\\[(\\d+)\\]\\s+(?:(\\S{4,5})\\s+)?(\\d+)\\.(\\d{6})$");
    private static final Pattern LOST = Pattern.compile("CPU:(\\d+) \\[LOST (\\d+) EVENTS]");
    /** What an address field may hold: digits, hex, dots and colons; never a name to look up. */
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    private TraceLine() {
    }

    /**
     * The transition on this line; empty for a line that is not one of TCP's (MPTCP and SCTP use the same
     * tracepoint) or that is not an event at all (the {@code trace} file's comments).
     *
     * @throws IllegalArgumentException naming what is wrong with an inet_sock_set_state line
     */
    public static Optional<Transition> parse(String line) {
        int event = line.indexOf(EVENT);
        if (event < 0) {
            return Optional.empty();
        }
        Matcher header = HEADER.matcher(line.substring(0, event).strip());
        if (!header.matches()) {
            throw new IllegalArgumentException("no COMM-PID [CPU] FLAGS TIME before the event: " + line);
        }
        long nanos = Long.parseLong(header.group(5)) * 1_000_000_000L + Long.parseLong(header.group(6)) * 1_000L;
        String flags = header.group(4);
        boolean processContext = flags != null && flags.charAt(2) == '.';
        int task = processContext ? Integer.parseInt(header.group(2)) : 0;
        Map<String, String> fields = new HashMap<>();
        for (String pair : line.substring(event + EVENT.length()).trim().split(" +")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + pair + "' is not NAME=VALUE: " + line);
            }
            fields.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        if (!"IPPROTO_TCP".equals(field(fields, "protocol", line))) {
            return Optional.empty();
        }
        String family = field(fields, "family", line);
        boolean v6 = switch (family) {
            case "AF_INET" -> false;
            case "AF_INET6" -> true;
            default -> throw new IllegalArgumentException("unknown family '" + family + "': " + line);
        };
        // An AF_INET6 socket's own addresses are in saddrv6/daddrv6; saddr/daddr then hold placeholders
        InetAddress local = address(field(fields, v6 ? "saddrv6" : "saddr", line), line);
        InetAddress remote = address(field(fields, v6 ? "daddrv6" : "daddr", line), line);
        return Optional.of(new Transition(nanos, v6 ? "tcp6" : "tcp",
                new InetSocketAddress(local, port(field(fields, "sport", line), line)),
                new InetSocketAddress(remote, port(field(fields, "dport", line), line)),
                state(field(fields, "oldstate", line), line), state(field(fields, "newstate", line), line), task));
    }

    /** The number of events a {@code CPU:N [LOST M EVENTS]} line says were dropped, or 0 for any other line. */
    public static long lostEvents(String line) {
        Matcher lost = LOST.matcher(line);
        return lost.find() ? Long.parseLong(lost.group(2)) : 0;
    }

    private static String field(Map<String, String> fields, String name, String line) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no " + name + ": " + line);
        }
        return value;
    }

    private static int port(String text, String line) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("bad port '" + text + "': " + line);
    }

    private static InetAddress address(String text, String line) {
        if (!LITERAL.matcher(text).matches()) {
            throw new IllegalArgumentException("bad address '" + text + "': " + line);
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address '" + text + "': " + line, e);
        }
    }

    /** {@code TCP_FIN_WAIT1} as the kernel names it in the trace; TcpState's names drop the prefix. */
    private static TcpState state(String text, String line) {
        if (text.startsWith("TCP_")) {
            try {
                return TcpState.valueOf(text.substring(4).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("unknown state '" + text + "': " + line);
    }
}
