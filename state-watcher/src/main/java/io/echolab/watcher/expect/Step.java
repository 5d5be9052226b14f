package io.echolab.watcher.expect;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;

/**
 * One step of an expectation: a state the connection is in (for how long, when bounded), or {@code CLOSED},
 * its socket gone from the kernel.
 *
 * @param state the state; empty for CLOSED
 * @param bound how long the state must last; empty for no bound
 */
public record Step(Optional<TcpState> state, Optional<Bound> bound) {

    /**
     * The states that last microseconds to a few tens of milliseconds on loopback: the tracepoint sees each,
     * a poll only by chance. A connection may pass through them between two listed steps, and a poll may miss
     * one that a spec lists (see {@link Expectation#stepsMet}).
     */
    public static final Set<TcpState> BRIEF = EnumSet.of(TcpState.SYN_SENT, TcpState.SYN_RECV, TcpState.FIN_WAIT1,
            TcpState.LAST_ACK, TcpState.CLOSING, TcpState.CLOSE);

    /** A lower or upper bound on how long a state lasts. */
    public record Bound(boolean atLeast, Duration duration) {

        public Bound {
            Objects.requireNonNull(duration, "duration");
        }
    }

    public Step {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(bound, "bound");
        if (state.isEmpty() && bound.isPresent()) {
            throw new IllegalArgumentException("CLOSED has no duration");
        }
    }

    /** True for CLOSED: the socket gone. */
    public boolean closed() {
        return state.isEmpty();
    }

    /** True for a brief state listed without a bound: a poll may have missed it. */
    boolean missable() {
        return state.isPresent() && bound.isEmpty() && BRIEF.contains(state.get());
    }

    /**
     * Whether the phase is this step, as of {@code now}: its state, and, when bounded, lasting at least the
     * bound (so far, if it still lasts), or at most the bound (it must have ended, and its start must have
     * been seen: a phase already there when watching began lasted longer than it shows).
     */
    boolean isMetBy(Phase phase, Instant now) {
        if (state.isEmpty() || phase.state() != state.get()) {
            return false;
        }
        if (bound.isEmpty()) {
            return true;
        }
        Duration lasted = Duration.between(phase.start(), phase.end() != null ? phase.end() : now);
        return bound.get().atLeast()
                ? lasted.compareTo(bound.get().duration()) >= 0
                : phase.end() != null && phase.startSeen() && lasted.compareTo(bound.get().duration()) <= 0;
    }
}
