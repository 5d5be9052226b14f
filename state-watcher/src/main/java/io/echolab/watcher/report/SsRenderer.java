package io.echolab.watcher.report;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;

/**
 * Rows as iproute2's {@code ss -tan} prints them (misc/ss.c of iproute2 6.1), under a timestamp line: its
 * header, its state names ({@code ESTAB}, {@code FIN-WAIT-2}, {@code TIME-WAIT}), and its columns, each as wide
 * as its longest entry among the header and these rows, the addresses right-aligned (what render_calc_width
 * and render do when standard output is not a terminal). With {@code -p}'s {@code users:(("echo-server",pid=4242,fd=5))}
 * and {@code -o}'s {@code timer:(timewait,59sec,0)} when asked. Trailing blanks are trimmed.
 *
 * <p>Where it differs from ss: a listener's Send-Q is 0 (ss prints its backlog, which /proc does not have,
 * as netstat prints 0), an IPv4-mapped address is printed as IPv4 (as everywhere in the watcher, where ss
 * prints {@code [::ffff:127.0.0.1]}), and whether an IPv6 socket also takes IPv4 (which ss shows by writing
 * its wildcard {@code *} rather than {@code [::]}) is guessed from its address: see {@link #dualStack}.
 */
public final class SsRenderer {

    /** ss's columns for {@code -t} (no Netid column: one table) in order: header, alignment, delimiter. */
    private enum Column {
        STATE("State", false, " "),
        RECV_Q("Recv-Q", false, " "),
        SEND_Q("Send-Q", false, " "),
        LOCAL("Local Address:", true, " "),
        LOCAL_PORT("Port", false, ""),
        PEER("Peer Address:", true, " "),
        PEER_PORT("Port", false, ""),
        PROCESS("Process", false, "");

        final String header;
        final boolean right;
        final String delimiter;

        Column(String header, boolean right, String delimiter) {
            this.header = header;
            this.right = right;
            this.delimiter = delimiter;
        }
    }

    private static final Column[] COLUMNS = Column.values();

    private SsRenderer() {
    }

    /**
     * The timestamp line, ss's header, then one line per socket in the given order.
     *
     * @param micros the time to the microsecond: the backend has the kernel's timestamps
     * @param owners who holds or last held each connection
     */
    public static List<String> snapshot(Instant time, ZoneId zone, List<TcpSocket> sockets, boolean micros,
            TableColumns columns, Function<ConnectionKey, Optional<Owner>> owners) {
        List<String[]> fields = new ArrayList<>(sockets.size() + 1);
        String[] header = new String[COLUMNS.length];
        for (Column column : COLUMNS) {
            header[column.ordinal()] = column.header;
        }
        fields.add(header);
        for (TcpSocket socket : sockets) {
            fields.add(fields(socket, columns, owners.apply(ConnectionKey.of(socket))));
        }
        List<String> lines = new ArrayList<>(sockets.size() + 2);
        lines.add(NetstatRenderer.timestamp(time, zone, micros));
        lines.addAll(render(fields));
        return lines;
    }

    /** ss's spelling of a state: {@code ESTAB}, {@code SYN-RECV}, {@code FIN-WAIT-1}, {@code TIME-WAIT}, {@code UNCONN}. */
    public static String stateName(TcpState state) {
        return switch (state) {
            case ESTABLISHED -> "ESTAB";
            case SYN_SENT -> "SYN-SENT";
            case SYN_RECV, NEW_SYN_RECV -> "SYN-RECV"; // sock_diag reports a request socket as SYN_RECV
            case FIN_WAIT1 -> "FIN-WAIT-1";
            case FIN_WAIT2 -> "FIN-WAIT-2";
            case TIME_WAIT -> "TIME-WAIT";
            case CLOSE -> "UNCONN";
            case CLOSE_WAIT -> "CLOSE-WAIT";
            case LAST_ACK -> "LAST-ACK";
            case LISTEN -> "LISTEN";
            case CLOSING -> "CLOSING";
        };
    }

    /**
     * {@code ss -o}'s timer, or "" when none runs (ss prints nothing then): {@code timer:(on,200ms,0)},
     * {@code timer:(keepalive,119min,0)}, {@code timer:(timewait,59sec,0)}, {@code timer:(persist,1.200ms,2)}.
     * The count is the retransmits under the retransmit timer and the unanswered probes otherwise, as the
     * kernel fills {@code idiag_retrans}; a time-wait socket's is 0.
     */
    public static String timer(TcpSocket socket) {
        String kind;
        int count;
        switch (socket.timer()) {
            case OFF -> {
                return "";
            }
            case RETRANSMIT -> {
                kind = "on";
                count = socket.retransmits();
            }
            case KEEPALIVE -> {
                kind = "keepalive";
                count = socket.probes();
            }
            case TIME_WAIT -> {
                kind = "timewait";
                count = 0;
            }
            case ZERO_WINDOW_PROBE -> {
                kind = "persist";
                count = socket.probes();
            }
            default -> throw new IllegalStateException("no such timer: " + socket.timer());
        }
        return "timer:(" + kind + "," + milliseconds(socket.timerRemaining().toMillis()) + "," + count + ")";
    }

    /**
     * A time as ss's print_ms_timer writes it: {@code 200ms}, {@code 1.500ms} (1.5 s), {@code 59sec},
     * {@code 1min59sec}, {@code 119min}; the milliseconds are dropped past 9 s, the seconds past 9 min.
     */
    static String milliseconds(long timeout) {
        long secs = timeout / 1000;
        long minutes = secs / 60;
        secs = secs % 60;
        long msecs = timeout % 1000;
        StringBuilder text = new StringBuilder();
        if (minutes != 0) {
            msecs = 0;
            text.append(minutes).append("min");
            if (minutes > 9) {
                secs = 0;
            }
        }
        if (secs != 0) {
            if (secs > 9) {
                msecs = 0;
            }
            text.append(secs).append(msecs != 0 ? "." : "sec");
        }
        if (msecs != 0) {
            text.append(String.format(Locale.ROOT, "%03dms", msecs));
        }
        return text.toString();
    }

    /** {@code users:(("echo-server",pid=4242,fd=5))}: ss -p's entry for one process. */
    static String users(Owner owner) {
        return "users:((\"" + owner.command() + "\",pid=" + owner.pid() + ",fd=" + owner.fd() + "))";
    }

    private static String[] fields(TcpSocket socket, TableColumns columns, Optional<Owner> owner) {
        StringBuilder extra = new StringBuilder();
        if (columns.owners() && owner.isPresent()) {
            extra.append(' ').append(users(owner.get()));
        }
        String timer = timer(socket);
        if (columns.timers() && !timer.isEmpty()) {
            extra.append(' ').append(timer);
        }
        return new String[] {
            stateName(socket.state()),
            String.format(Locale.ROOT, "%-6d", socket.rxQueue()),
            String.format(Locale.ROOT, "%-6d", socket.txQueue()),
            host(socket.local(), dualStack(socket)) + ":",
            port(socket.local()),
            host(socket.remote(), dualStack(socket)) + ":",
            port(socket.remote()),
            extra.toString()};
    }

    /**
     * Whether ss would call the socket IPv4-and-IPv6 (not IPV6_V6ONLY), which the rows do not say: taken to be so
     * for a socket bound to the IPv6 wildcard, as Linux and Java make it by default, and not for one bound to an
     * address (Java sets IPV6_V6ONLY on those).
     */
    private static boolean dualStack(TcpSocket socket) {
        return socket.local().getAddress() instanceof Inet6Address v6 && v6.isAnyLocalAddress();
    }

    /** {@code 127.0.0.1}, {@code [::1]}, {@code [::]}; {@code *} for the IPv6 wildcard of a dual-stack socket (inet_addr_print). */
    private static String host(InetSocketAddress address, boolean dualStack) {
        if (address.getAddress() instanceof Inet6Address v6) {
            return dualStack && v6.isAnyLocalAddress() ? "*" : "[" + AddressText.ntop(v6) + "]";
        }
        return AddressText.ntop(address.getAddress());
    }

    private static String port(InetSocketAddress address) {
        return address.getPort() == 0 ? "*" : Integer.toString(address.getPort());
    }

    /**
     * The lines as ss lays them out: each column as wide as its longest field plus its delimiter (the first
     * column without one), text padded on the right and addresses on the left.
     */
    private static List<String> render(List<String[]> fields) {
        int[] width = new int[COLUMNS.length];
        for (String[] line : fields) {
            for (int i = 0; i < COLUMNS.length; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        for (int i = 1; i < COLUMNS.length; i++) {
            width[i] += COLUMNS[i].delimiter.length();
        }
        List<String> lines = new ArrayList<>(fields.size());
        for (String[] line : fields) {
            StringBuilder text = new StringBuilder(120);
            for (int i = 0; i < COLUMNS.length; i++) {
                Column column = COLUMNS[i];
                String delimiter = i == 0 ? "" : column.delimiter;
                text.append(delimiter);
                int pad = width[i] - delimiter.length() - line[i].length();
                if (column.right) {
                    text.append(" ".repeat(Math.max(0, pad))).append(line[i]);
                } else {
                    text.append(line[i]).append(" ".repeat(Math.max(0, pad)));
                }
            }
            lines.add(text.toString().stripTrailing());
        }
        return lines;
    }
}
