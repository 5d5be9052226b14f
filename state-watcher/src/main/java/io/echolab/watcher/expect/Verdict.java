package io.echolab.watcher.expect;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import io.echolab.watcher.model.Connection;

/**
 * How an expectation came out, and the connection that decided it (or came closest).
 *
 * @param connection the connection that met it; otherwise the one on its side that met the most steps, as of {@code at}
 * @param stepsMet   how many of its steps that connection met
 * @param at         when it was decided, or when the watch ended
 */
public record Verdict(Expectation expectation, Outcome outcome, Optional<Connection> connection, int stepsMet,
        Instant at) {

    /**
     * Met; not met, every connection on its side having ended without it; or not decided when the watch ended,
     * which is not met either.
     */
    public enum Outcome { MET, NOT_MET, UNDECIDED }

    public Verdict {
        Objects.requireNonNull(expectation, "expectation");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(at, "at");
        if (outcome != Outcome.UNDECIDED && connection.isEmpty()) {
            throw new IllegalArgumentException("a connection decides a verdict");
        }
    }

    /** True only when met: a watch with any other verdict ends with the not-met exit code. */
    public boolean met() {
        return outcome == Outcome.MET;
    }
}
