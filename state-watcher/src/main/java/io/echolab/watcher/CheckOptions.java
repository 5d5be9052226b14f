package io.echolab.watcher;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.echolab.watcher.expect.Expectation;

/**
 * What the watcher checks as it watches, besides printing what it sees, as the command line gave it.
 *
 * @param expectations   what --expect asks of the connections; empty for nothing
 * @param alertCloseWait how long a socket may stay in CLOSE_WAIT before a warning; empty for no warnings
 */
record CheckOptions(List<Expectation> expectations, Optional<Duration> alertCloseWait) {

    CheckOptions {
        expectations = List.copyOf(expectations);
        Objects.requireNonNull(alertCloseWait, "alertCloseWait");
        if (alertCloseWait.isPresent() && (alertCloseWait.get().isZero() || alertCloseWait.get().isNegative())) {
            throw new IllegalArgumentException("--alert-close-wait must be more than 0, e.g. 30s");
        }
    }

    /**
     * Checks them against what is watched.
     *
     * @throws IllegalArgumentException for a client or server expectation with no --port to tell the sides apart
     */
    CheckOptions against(Set<Integer> ports) {
        for (Expectation expectation : expectations) {
            if (expectation.side().needsPorts() && ports.isEmpty()) {
                throw new IllegalArgumentException("--expect '" + expectation.text() + "' needs --port: the "
                        + expectation.side().word() + " is the end whose " + (expectation.side().word().equals("client")
                        ? "remote" : "local") + " port is the watched port");
            }
        }
        return this;
    }
}
