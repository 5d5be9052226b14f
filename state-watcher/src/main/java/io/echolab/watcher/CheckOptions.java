package io.echolab.watcher;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import io.echolab.common.Host;
import io.echolab.watcher.expect.Expectation;

/**
 * What the watcher checks as it watches, besides printing what it sees, as the command line gave it.
 *
 * @param expectations   what --expect asks of the connections; empty for nothing
 * @param alertCloseWait how long a socket may stay in CLOSE_WAIT before a warning; empty for no warnings
 * @param metricsPort    where to serve Prometheus metrics (0: a port the kernel chooses); empty for no metrics
 * @param metricsAddress the address they are served on: loopback unless the user says otherwise
 */
record CheckOptions(List<Expectation> expectations, Optional<Duration> alertCloseWait, OptionalInt metricsPort,
        Host metricsAddress) {

    /** The metrics' default address: loopback, so nothing is served to the network unless asked. */
    static final Host LOOPBACK = new Host("127.0.0.1");

    CheckOptions {
        expectations = List.copyOf(expectations);
        Objects.requireNonNull(alertCloseWait, "alertCloseWait");
        if (alertCloseWait.isPresent() && (alertCloseWait.get().isZero() || alertCloseWait.get().isNegative())) {
            throw new IllegalArgumentException("--alert-close-wait must be more than 0, e.g. 30s");
        }
        Objects.requireNonNull(metricsPort, "metricsPort");
        Objects.requireNonNull(metricsAddress, "metricsAddress");
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
