package io.echolab.watcher.report;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.echolab.watcher.model.TcpSocket;

/**
 * Rows as Linux net-tools {@code netstat -ant} prints them (netstat.c, tcp_do_one), under a timestamp line
 * as the article's shell loop printed them.
 */
public final class NetstatRenderer {

    /** The loop's {@code date} line, with milliseconds. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    /** The same to the microsecond, for the kernel's timestamps: transitions microseconds apart stay apart. */
    private static final DateTimeFormatter TIMESTAMP_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    /** net-tools shortens an address and its port to this many characters, then pads the column to 23. */
    private static final int SHORT_LEN = 22;
    private static final int COLUMN = 23;

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

    /** {@code 2022-07-10 17:03:55.123} in the given zone. */
    public static String timestamp(Instant time, ZoneId zone) {
        return TIMESTAMP.format(time.atZone(zone));
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
