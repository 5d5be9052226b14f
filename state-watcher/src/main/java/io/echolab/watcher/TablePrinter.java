package io.echolab.watcher;

import java.time.Instant;
import java.util.List;

import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;

/**
 * Prints the article's loop output: a timestamp and the rows (netstat's or ss's), each time a watched
 * connection appears, changes state or goes (queues and timers alone do not count), or at every poll.
 */
final class TablePrinter implements WatchListener {

    /** The lines that show the sockets at a time: the timestamp line, then the rows. */
    @FunctionalInterface
    interface Table {
        List<String> snapshot(Instant time, List<TcpSocket> view);
    }

    private final Output out;
    private final Table table;
    private final boolean everyPoll;
    private Instant lastPrinted;

    TablePrinter(Output out, Table table, boolean everyPoll) {
        this.out = out;
        this.table = table;
        this.everyPoll = everyPoll;
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
        out.print(table.snapshot(time, view));
    }
}
