package io.echolab.watcher.model;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
 * @param maxProbes             the most keepalive or zero-window probes seen unanswered during the state
 * @param timersSeen            every timer seen running during the state
 */
public record Phase(TcpState state, Instant start, Instant end, boolean startSeen, TimerKind timerAtStart,
        Duration timerRemainingAtStart, int maxRetransmits, int maxProbes, Set<TimerKind> timersSeen) {

    public Phase {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(timerAtStart, "timerAtStart");
        Objects.requireNonNull(timerRemainingAtStart, "timerRemainingAtStart");
        timersSeen = Set.copyOf(timersSeen);
        if (end != null && end.isBefore(start)) {
            throw new IllegalArgumentException("a phase cannot end (" + end + ") before it starts (" + start + ")");
        }
    }

    /** From start to end, once it has ended; a lower bound if the start was not seen. */
    public Optional<Duration> duration() {
        return end == null ? Optional.empty() : Optional.of(Duration.between(start, end));
    }

    /** A phase that began at {@code start} with this row. */
    public static Phase starting(Instant start, boolean startSeen, TcpSocket row) {
        return new Phase(row.state(), start, null, startSeen, row.timer(), row.timerRemaining(), row.retransmits(),
                row.probes(), EnumSet.of(row.timer()));
    }

    /** This phase, ended at {@code time}. */
    public Phase endingAt(Instant time) {
        return new Phase(state, start, time, startSeen, timerAtStart, timerRemainingAtStart, maxRetransmits, maxProbes,
                timersSeen);
    }

    /** This phase with what a later row of it shows: higher counts, another timer running. */
    public Phase seeing(TcpSocket row) {
        if (row.retransmits() <= maxRetransmits && row.probes() <= maxProbes && timersSeen.contains(row.timer())) {
            return this;
        }
        Set<TimerKind> timers = EnumSet.of(row.timer());
        timers.addAll(timersSeen);
        return new Phase(state, start, end, startSeen, timerAtStart, timerRemainingAtStart,
                Math.max(maxRetransmits, row.retransmits()), Math.max(maxProbes, row.probes()), timers);
    }
}
