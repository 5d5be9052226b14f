package io.echolab.watcher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;

/**
 * The one change detector: each watched connection's state now, since when, and its latest row, and the
 * changes that brought it there. A polled backend hands it the whole table at each poll ({@link #replaceAll});
 * the tracepoint hands it one transition at a time with the kernel's timestamp ({@link #enter}, {@link #move},
 * {@link #end}). Changes reach the listener grouped by time, each group with the sockets as they were right
 * after it. Not thread-safe: the watcher's thread owns it.
 */
final class ConnectionTable {

    /** Hears each group of changes that share a time, with every watched socket as of then. */
    interface Listener {
        void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view);
    }

    /** One connection now: its latest row, and when its state began. */
    record Entry(TcpSocket row, Instant since, boolean startSeen) {

        TcpState state() {
            return row.state();
        }
    }

    private final Listener listener;
    private final Map<ConnectionKey, Entry> entries = new LinkedHashMap<>();
    /** The rows of the last poll as listed (two SO_REUSEPORT listeners stay two rows); null once traced. */
    private List<TcpSocket> listed = List.of();
    private boolean polled;
    private final List<StateChange> pending = new ArrayList<>();

    ConnectionTable(Listener listener) {
        this.listener = listener;
    }

    /**
     * A poll's whole table: new connections, state changes, then the vanished ones, all at {@code now}, in the
     * order the rows were listed. Rows of a connection already listed (same key) count once.
     */
    void replaceAll(Instant now, List<TcpSocket> rows) {
        boolean first = !polled;
        polled = true;
        Map<ConnectionKey, Entry> current = new LinkedHashMap<>();
        for (TcpSocket row : rows) {
            ConnectionKey key = ConnectionKey.of(row);
            if (current.containsKey(key)) {
                continue;
            }
            Entry before = entries.get(key);
            if (before == null) {
                emit(StateChange.appeared(now, row, first));
                current.put(key, new Entry(row, now, !first));
            } else if (before.state() != row.state()) {
                emit(new StateChange(now, key, row.state(), before.state(), Duration.between(before.since(), now),
                        before.startSeen(), row, false));
                current.put(key, new Entry(row, now, true));
            } else {
                if (notable(before.row(), row)) {
                    emit(update(now, before, row));
                }
                current.put(key, new Entry(row, before.since(), before.startSeen()));
            }
        }
        entries.forEach((key, before) -> {
            if (!current.containsKey(key)) {
                emit(new StateChange(now, key, null, before.state(), Duration.between(before.since(), now),
                        before.startSeen(), null, false));
            }
        });
        entries.clear();
        entries.putAll(current);
        listed = List.copyOf(rows);
        flush();
    }

    /**
     * A connection begins at {@code time} in {@code row}'s state. One with the same key that is still here
     * ends first (its ports were reused, e.g. a TIME_WAIT entry taken over by a new connect).
     *
     * @param initial   true for a connection that was there when watching began
     * @param startSeen false when its state began before {@code time} (so its first phase is a lower bound)
     */
    void enter(Instant time, TcpSocket row, boolean initial, boolean startSeen) {
        ConnectionKey key = ConnectionKey.of(row);
        if (entries.containsKey(key)) {
            end(time, key);
        }
        emit(new StateChange(time, key, row.state(), null, null, false, row, initial));
        entries.put(key, new Entry(row, time, startSeen && !initial));
        listed = null;
    }

    /** The connection moved to {@code row}'s state at {@code time}; nothing happens if it was in it already. */
    void move(Instant time, TcpSocket row) {
        ConnectionKey key = ConnectionKey.of(row);
        Entry before = entries.get(key);
        if (before == null) {
            throw new IllegalStateException("no connection " + key + " to move");
        }
        if (before.state() == row.state()) {
            update(time, row);
            return;
        }
        Instant start = time.isBefore(before.since()) ? before.since() : time;
        emit(new StateChange(start, key, row.state(), before.state(), Duration.between(before.since(), start),
                before.startSeen(), row, false));
        entries.put(key, new Entry(row, start, true));
        listed = null;
    }

    /** The connection ended at {@code time}: its socket is gone from the kernel. */
    void end(Instant time, ConnectionKey key) {
        Entry before = entries.get(key);
        if (before == null) {
            return;
        }
        Instant end = time.isBefore(before.since()) ? before.since() : time;
        emit(new StateChange(end, key, null, before.state(), Duration.between(before.since(), end), before.startSeen(),
                null, false));
        entries.remove(key);
        listed = null;
    }

    /**
     * A newer row of a connection in the same state, seen at {@code time}: its queues, timer and counters. An
     * update is told when it is news (see {@link #notable}).
     */
    void update(Instant time, TcpSocket row) {
        ConnectionKey key = ConnectionKey.of(row);
        Entry before = entries.get(key);
        if (before != null && before.state() == row.state()) {
            if (notable(before.row(), row)) {
                emit(update(time, before, row));
            }
            entries.put(key, new Entry(row, before.since(), before.startSeen()));
        }
    }

    /**
     * Whether a newer row in the same state is news: a retransmit or probe count changed, or a timer came or
     * went that is not the retransmit timer (which comes and goes with every segment in flight).
     */
    static boolean notable(TcpSocket before, TcpSocket now) {
        if (before.retransmits() != now.retransmits() || before.probes() != now.probes()) {
            return true;
        }
        return before.timer() != now.timer() && (lasting(before.timer()) || lasting(now.timer()));
    }

    private static boolean lasting(TimerKind timer) {
        return timer == TimerKind.KEEPALIVE || timer == TimerKind.ZERO_WINDOW_PROBE || timer == TimerKind.TIME_WAIT;
    }

    private static StateChange update(Instant time, Entry before, TcpSocket row) {
        Instant at = time.isBefore(before.since()) ? before.since() : time;
        return new StateChange(at, ConnectionKey.of(row), row.state(), row.state(), Duration.between(before.since(), at),
                before.startSeen(), row, false);
    }

    Optional<Entry> get(ConnectionKey key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** The connections now, in the order they were first listed or traced. */
    Map<ConnectionKey, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    int size() {
        return entries.size();
    }

    /** Every watched socket now: as the last poll listed them, or as traced since. */
    List<TcpSocket> view() {
        if (listed != null) {
            return listed;
        }
        List<TcpSocket> rows = new ArrayList<>(entries.size());
        entries.values().forEach(e -> rows.add(e.row()));
        return rows;
    }

    /** Hands the changes not yet heard to the listener. */
    void flush() {
        if (!pending.isEmpty()) {
            List<StateChange> group = List.copyOf(pending);
            pending.clear();
            listener.onChanges(group.get(0).time(), group, view());
        }
    }

    /** Queues a change; one at another time than those queued first hands those over, with the view as it is. */
    private void emit(StateChange change) {
        if (!pending.isEmpty() && !pending.get(0).time().equals(change.time())) {
            flush();
        }
        pending.add(change);
    }
}
