package io.echolab.watcher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;

/**
 * Each connection's life as a list of phases, one per state, built from a {@link Watcher}'s changes, with its
 * owner when one is known. Attach it before the first poll (after whatever finds owners). Safe to read from
 * any thread while the watcher runs.
 */
public final class Timeline implements WatchListener {

    /** A connection while it is being built. */
    private static final class Builder {
        final ConnectionKey key;
        final List<Phase> phases = new ArrayList<>();
        boolean gone;
        Owner owner;

        Builder(ConnectionKey key) {
            this.key = key;
        }

        void start(StateChange change, boolean startSeen) {
            TcpSocket row = change.row();
            phases.add(Phase.starting(change.time(), startSeen, row));
        }

        void see(TcpSocket row) {
            int last = phases.size() - 1;
            phases.set(last, phases.get(last).seeing(row));
        }

        void endLast(Instant time) {
            int last = phases.size() - 1;
            phases.set(last, phases.get(last).endingAt(time));
        }

        Connection snapshot() {
            return new Connection(key, phases, gone, Optional.ofNullable(owner));
        }
    }

    private final Function<ConnectionKey, Optional<Owner>> owners;
    private final List<Builder> connections = new ArrayList<>();
    /** The connections whose rows are still there, by key. */
    private final Map<ConnectionKey, Builder> live = new HashMap<>();

    /** A timeline without owners. */
    public Timeline() {
        this(key -> Optional.empty());
    }

    /** A timeline that asks {@code owners} who holds each connection while it is there. */
    public Timeline(Function<ConnectionKey, Optional<Owner>> owners) {
        this.owners = owners;
    }

    @Override
    public synchronized void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
        changes.forEach(this::apply);
    }

    private void apply(StateChange change) {
        Builder connection = live.get(change.key());
        if (connection != null && !change.isNew()) {
            learnOwner(connection);
        }
        if (change.isNew() || connection == null) {
            if (change.gone()) {
                return; // never saw it alive: nothing to record
            }
            // A key seen before and gone is a new connection (its port was reused).
            connection = new Builder(change.key());
            connections.add(connection);
            live.put(change.key(), connection);
            connection.start(change, !change.initial());
            learnOwner(connection);
            return;
        }
        if (change.isUpdate()) {
            connection.see(change.row());
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
    public synchronized void onSample(Instant time, List<TcpSocket> view) {
        for (TcpSocket row : view) {
            Builder connection = live.get(ConnectionKey.of(row));
            if (connection != null && connection.phases.get(connection.phases.size() - 1).state() == row.state()) {
                connection.see(row);
                learnOwner(connection);
            }
        }
    }

    private void learnOwner(Builder connection) {
        if (connection.owner == null) {
            connection.owner = owners.apply(connection.key).orElse(null);
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
