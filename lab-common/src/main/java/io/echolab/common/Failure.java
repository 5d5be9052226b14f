package io.echolab.common;

import java.util.Objects;

/**
 * What a program prints when it fails, as one line on standard error, and the situation that decides its
 * exit code.
 *
 * @param situation why it ends
 * @param message   the one line, without a newline: the C programs' words where they have some
 */
public record Failure(Situation situation, String message) {

    public Failure {
        Objects.requireNonNull(situation, "situation");
        Objects.requireNonNull(message, "message");
        if (message.contains("\n")) {
            throw new IllegalArgumentException("a failure is one line: " + message);
        }
    }

    /** The exit code to end with. */
    public int exitCode() {
        return situation.exitCode();
    }
}
