package io.echolab.watcher.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One state of one connection.
 *
 * @param start                 when the state began: the kernel's timestamp of the transition when the
 *                              tracepoint saw it, else the poll that first saw the state
 * @param end                   when the next state (or the end of the socket) began; null while it lasts
 * @param startSeen             false when the state was already there when watching began: the real start is earlier
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

    /** This phase, ended at {@code time}. */
    public Phase endingAt(Instant time) {
        return new Phase(state, start, time, startSeen, timerAtStart, timerRemainingAtStart, maxRetransmits);
    }

    /** This phase with {@code retransmits} as its highest count, if it is higher than the one it has. */
    public Phase withRetransmits(int retransmits) {
        return retransmits <= maxRetransmits ? this
                : new Phase(state, start, end, startSeen, timerAtStart, timerRemainingAtStart, retransmits);
    }
}
