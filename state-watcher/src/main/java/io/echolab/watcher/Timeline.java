package io.echolab.watcher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

import io.echolab.watcher.proc.TcpSocket;
import io.echolab.watcher.proc.TcpState;
import io.echolab.watcher.proc.TimerKind;

/**
 * Each connection's life as a list of phases, one per state, built from a {@link Watcher}'s changes.
 * Attach it before the first poll. Safe to read from any thread while the watcher runs.
 */
public final class Timeline implements WatchListener {

    /**
     * One state of one connection.
     *
     * @param start     the poll that first saw the state
     * @param end       the poll that first saw the next state or no row; null while it lasts
     * @param startSeen false when the state was already there when watching began: the real start is earlier
     * @param timerAtStart          the timer running when the state was first seen
     * @param timerRemainingAtStart its time left then (TIME_WAIT starts near 60 s)
     * @param maxRetransmits        the highest {@code retrnsmt} seen during the state
     */
    public record Phase(TcpState state, Instant start, Instant end, boolean startSeen, TimerKind timerAtStart,
            Duration timerRemainingAtStart, int maxRetransmits) {

        public Phase {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(timerAtStart, "timerAtStart");
            Objects.requireNonNull(timerRemainingAtStart, "timerRemainingAtStart");
            if (end != null && end.isBefore(start)) {
                throw new IllegalArgumentException("a phase cannot end (" + end + ") before it starts (" + start + ")");
            }
        }

        /** From start to end, once it has ended; a lower bound if the start was not seen. */
        public Optional<Duration> duration() {
            return end == null ? Optional.empty() : Optional.of(Duration.between(start, end));
        }

        Phase endingAt(Instant time) {
            return new Phase(state, start, time, startSeen, timerAtStart, timerRemainingAtStart, maxRetransmits);
        }

        Phase withRetransmits(int retransmits) {
            return retransmits <= maxRetransmits ? this
                    : new Phase(state, start, end, startSeen, timerAtStart, timerRemainingAtStart, retransmits);
        }
    }

    /**
     * One connection: its phases in order, and whether its row has vanished (the last phase's end says when).
     */
    public record Connection(ConnectionKey key, List<Phase> phases, boolean gone) {

        public Connection {
            Objects.requireNonNull(key, "key");
            phases = List.copyOf(phases);
            if (phases.isEmpty()) {
                throw new IllegalArgumentException("a connection has at least one phase");
            }
        }

        /** The states in order, e.g. ESTABLISHED, FIN_WAIT2, TIME_WAIT. */
        public List<TcpState> states() {
            return phases.stream().map(Phase::state).toList();
        }

        /** The first phase in this state, if there was one. */
        public Optional<Phase> phase(TcpState state) {
            return phases.stream().filter(p -> p.state() == state).findFirst();
        }

        /** The phase in progress, or the one that ended when the row vanished. */
        public Phase last() {
            return phases.get(phases.size() - 1);
        }
    }

    /** A connection while it is being built. */
    private static final class Builder {
        final ConnectionKey key;
        final List<Phase> phases = new ArrayList<>();
        boolean gone;

        Builder(ConnectionKey key) {
            this.key = key;
        }

        void start(StateChange change, boolean startSeen) {
            TcpSocket row = change.row();
            phases.add(new Phase(row.state(), change.time(), null, startSeen, row.timer(), row.timerRemaining(),
                    row.retransmits()));
        }

        void endLast(Instant time) {
            int last = phases.size() - 1;
            phases.set(last, phases.get(last).endingAt(time));
        }

        Connection snapshot() {
            return new Connection(key, phases, gone);
        }
    }

    private final List<Builder> connections = new ArrayList<>();
    /** The connections whose rows are still there, by key. */
    private final Map<ConnectionKey, Builder> live = new HashMap<>();

    @Override
    public synchronized void onChange(StateChange change) {
        Builder connection = live.get(change.key());
        if (change.isNew() || connection == null) {
            if (change.gone()) {
                return; // never saw it alive: nothing to record
            }
            // A key seen before and gone is a new connection (its port was reused).
            connection = new Builder(change.key());
            connections.add(connection);
            live.put(change.key(), connection);
            connection.start(change, !change.initial());
            return;
        }
        connection.endLast(change.time());
        if (change.gone()) {
            connection.gone = true;
            live.remove(change.key());
        } else {
            connection.start(change, true);
        }
    }

    @Override
    public synchronized void onSample(Instant time, List<TcpSocket> matching) {
        for (TcpSocket row : matching) {
            Builder connection = live.get(ConnectionKey.of(row));
            if (connection != null) {
                int last = connection.phases.size() - 1;
                connection.phases.set(last, connection.phases.get(last).withRetransmits(row.retransmits()));
            }
        }
    }

    /** Every connection seen, in the order first seen, as copies. */
    public synchronized List<Connection> connections() {
        return connections.stream().map(Builder::snapshot).toList();
    }

    /** The connections whose key matches, in the order first seen. */
    public synchronized List<Connection> connections(Predicate<ConnectionKey> which) {
        return connections.stream().filter(c -> which.test(c.key)).map(Builder::snapshot).toList();
    }

    /** The first connection whose key matches. */
    public synchronized Optional<Connection> connection(Predicate<ConnectionKey> which) {
        return connections.stream().filter(c -> which.test(c.key)).findFirst().map(Builder::snapshot);
    }
}
