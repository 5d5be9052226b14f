package io.echolab.watcher.report;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TimerKind;

/**
 * Rows as Linux net-tools {@code netstat -ant} prints them (netstat.c, tcp_do_one), under a timestamp line
 * as the article's shell loop printed them; with {@code -p}'s {@code PID/Program name} and {@code -o}'s
 * {@code Timer} columns when asked (finish_this_one).
 */
public final class NetstatRenderer {

    /** The loop's {@code date} line, with milliseconds. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    /** The same to the microsecond, for the kernel's timestamps: transitions microseconds apart stay apart. */
    private static final DateTimeFormatter TIMESTAMP_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    /** net-tools shortens an address and its port to this many characters, then pads the column to 23. */
    private static final int SHORT_LEN = 22;
    private static final int COLUMN = 23;
    /** netstat -p keeps {@code PID/name} in a 20-byte buffer (PROGNAME_WIDTH): 19 characters, padded to 20. */
    private static final int PROGRAM_WIDTH = 20;

    private NetstatRenderer() {
    }

    /** The timestamp line, then one line per socket in the given order; just the timestamp when none match. */
    public static List<String> snapshot(Instant time, ZoneId zone, List<TcpSocket> sockets) {
        return snapshot(time, zone, sockets, false);
    }

    /** As {@link #snapshot(Instant, ZoneId, List)}, the time to the microsecond when {@code micros}. */
    public static List<String> snapshot(Instant time, ZoneId zone, List<TcpSocket> sockets, boolean micros) {
        List<String> lines = new ArrayList<>(sockets.size() + 1);
        lines.add((micros ? TIMESTAMP_MICROS : TIMESTAMP).format(time.atZone(zone)));
        sockets.forEach(socket -> lines.add(row(socket)));
        return lines;
    }

    /**
     * As {@link #snapshot(Instant, ZoneId, List, boolean)}, with the columns asked for.
     *
     * @param owners who holds or last held each connection
     */
    public static List<String> snapshot(Instant time, ZoneId zone, List<TcpSocket> sockets, boolean micros,
            TableColumns columns, Function<ConnectionKey, Optional<Owner>> owners) {
        List<String> lines = new ArrayList<>(sockets.size() + 1);
        lines.add(timestamp(time, zone, micros));
        sockets.forEach(socket -> lines.add(row(socket, columns, owners.apply(ConnectionKey.of(socket)))));
        return lines;
    }

    /** {@code 2022-07-10 17:03:55.123} in the given zone. */
    public static String timestamp(Instant time, ZoneId zone) {
        return TIMESTAMP.format(time.atZone(zone));
    }

    /** The loop's {@code date} line, {@code 2022-07-10 17:03:55.123456} when {@code micros}. */
    public static String timestamp(Instant time, ZoneId zone, boolean micros) {
        return (micros ? TIMESTAMP_MICROS : TIMESTAMP).format(time.atZone(zone));
    }

    /**
     * One row, trailing blanks trimmed: {@code printf("%-4s  %6ld %6ld %-23s %-23s %-11s", proto, rx_queue,
     * tx_queue, local, remote, state)}. Recv-Q is rx_queue, which for a LISTEN socket is its accept queue.
     */
    public static String row(TcpSocket socket) {
        return String.format(Locale.ROOT, "%-4s  %6d %6d %s %s %-11s", socket.proto(), socket.rxQueue(), socket.txQueue(),
                pad(address(socket.local())), pad(address(socket.remote())), socket.state().netstatName())
                .stripTrailing();
    }

    /**
     * As {@link #row(TcpSocket)}, then {@code -p}'s column ({@code printf(" %-20s", "4242/echo-server")}, "-"
     * when the owner is unknown) and {@code -o}'s ({@code printf(" %s", timers)}), as asked.
     */
    public static String row(TcpSocket socket, TableColumns columns, Optional<Owner> owner) {
        if (!columns.owners() && !columns.timers()) {
            return row(socket);
        }
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-4s  %6d %6d %s %s %-11s", socket.proto(),
                socket.rxQueue(), socket.txQueue(), pad(address(socket.local())), pad(address(socket.remote())),
                socket.state().netstatName()));
        if (columns.owners()) {
            String program = owner.map(NetstatRenderer::program).orElse("-");
            row.append(' ').append(program).append(" ".repeat(Math.max(0, PROGRAM_WIDTH - program.length())));
        }
        if (columns.timers()) {
            row.append(' ').append(timer(socket));
        }
        return row.toString().stripTrailing();
    }

    /** {@code 4242/echo-server}, cut to 19 characters as netstat's buffer cuts it. */
    static String program(Owner owner) {
        String text = owner.pidSlashCommand();
        return text.length() < PROGRAM_WIDTH ? text : text.substring(0, PROGRAM_WIDTH - 1);
    }

    /**
     * {@code netstat -o}'s timer: its kind, the seconds left with two decimals, the retransmits and the
     * unanswered probes (/proc's {@code retrnsmt} and {@code timeout}): {@code off (0.00/0/0)},
     * {@code on (0.20/1/0)}, {@code keepalive (7199.96/0/0)}, {@code timewait (59.87/0/0)},
     * {@code probe (0.40/0/2)}. netstat divides /proc's ticks of 10 ms; a time to the millisecond (netlink)
     * is cut to the tick, as the kernel cuts it for /proc.
     */
    public static String timer(TcpSocket socket) {
        String kind = switch (socket.timer()) {
            case OFF -> "off";
            case RETRANSMIT -> "on";
            case KEEPALIVE -> "keepalive";
            case TIME_WAIT -> "timewait";
            case ZERO_WINDOW_PROBE -> "probe";
        };
        long ticks = socket.timer() == TimerKind.OFF ? 0 : socket.timerRemaining().toMillis() / 10;
        return String.format(Locale.ROOT, "%s (%d.%02d/%d/%d)", kind, ticks / 100, ticks % 100, socket.retransmits(),
                socket.probes());
    }

    /**
     * {@code netstat -n}'s address: {@code 127.0.0.1:5000}, {@code 0.0.0.0:*} for port 0, {@code :::*},
     * {@code ::1:5000} (no brackets); longer than 22 characters, the address is cut to fit (addr_do_one).
     */
    public static String address(InetSocketAddress address) {
        String ip = AddressText.ntop(address.getAddress());
        String port = address.getPort() == 0 ? "*" : Integer.toString(address.getPort());
        if (ip.length() + port.length() > SHORT_LEN) {
            // net-tools keeps the port (up to 18 characters, and a port has at most 5) and cuts the address.
            return ip.substring(0, SHORT_LEN - port.length()) + ":" + port;
        }
        return ip + ":" + port;
    }

    private static String pad(String text) {
        return text.length() >= COLUMN ? text : text + " ".repeat(COLUMN - text.length());
    }
}
