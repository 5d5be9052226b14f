package io.echolab.watcher.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One connection's life: its phases in order, whether it has ended (the last phase's end says when), and
 * the process that held its socket, when it could be found (it stays after close()).
 */
public record Connection(ConnectionKey key, List<Phase> phases, boolean gone, Optional<Owner> owner) {

    public Connection {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(owner, "owner");
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

    /** The phase in progress, or the one that ended when the connection did. */
    public Phase last() {
        return phases.get(phases.size() - 1);
    }
}
