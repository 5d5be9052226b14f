package io.echolab.watcher;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.report.NetstatRenderer;

/**
 * Prints the article's loop output: a timestamp and the netstat rows, each time a watched connection
 * appears, changes state or goes (queues and timers alone do not count), or at every poll.
 */
final class NetstatPrinter implements WatchListener {

    private final Output out;
    private final ZoneId zone;
    private final boolean everyPoll;
    private final boolean micros;
    private Instant lastPrinted;

    /**
     * @param micros timestamps to the microsecond: the backend's changes carry the kernel's timestamps
     */
    NetstatPrinter(Output out, ZoneId zone, boolean everyPoll, boolean micros) {
        this.out = out;
        this.zone = zone;
        this.everyPoll = everyPoll;
        this.micros = micros;
    }

    @Override
    public void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
        if (changes.stream().anyMatch(change -> !change.isUpdate())) {
            print(time, view);
        }
    }

    @Override
    public void onSample(Instant time, List<TcpSocket> view) {
        if (everyPoll && !time.equals(lastPrinted)) {
            print(time, view);
        }
    }

    @Override
    public boolean everyPoll() {
        return everyPoll;
    }

    private void print(Instant time, List<TcpSocket> view) {
        lastPrinted = time;
        out.print(NetstatRenderer.snapshot(time, zone, view, micros));
    }
}
