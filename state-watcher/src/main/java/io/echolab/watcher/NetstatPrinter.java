package io.echolab.watcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.report.NetstatRenderer;

/**
 * Prints the article's loop output: a timestamp and the netstat rows, each time the matching sockets or
 * their states change (queues and timers alone do not count), or at every poll.
 */
final class NetstatPrinter implements WatchListener {

    /** What makes a snapshot different from the one before. */
    private record RowState(ConnectionKey key, TcpState state) {
    }

    private final PrintWriter out;
    private final ZoneId zone;
    private final boolean everyPoll;
    private Map<RowState, Long> last;

    NetstatPrinter(PrintWriter out, ZoneId zone, boolean everyPoll) {
        this.out = out;
        this.zone = zone;
        this.everyPoll = everyPoll;
    }

    @Override
    public void onSample(Instant time, List<TcpSocket> matching) {
        Map<RowState, Long> now = matching.stream()
                .map(socket -> new RowState(ConnectionKey.of(socket), socket.state()))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        if (!everyPoll && now.equals(last)) {
            return;
        }
        last = now;
        NetstatRenderer.snapshot(time, zone, matching).forEach(out::println);
        out.flush();
        if (out.checkError()) {
            throw new UncheckedIOException(new IOException("standard output is closed"));
        }
    }
}
