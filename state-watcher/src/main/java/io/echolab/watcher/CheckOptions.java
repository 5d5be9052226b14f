package io.echolab.watcher;

import java.util.List;
import java.util.Set;

import io.echolab.watcher.expect.Expectation;

/**
 * What the watcher checks as it watches, besides printing what it sees, as the command line gave it.
 *
 * @param expectations what --expect asks of the connections; empty for nothing
 */
record CheckOptions(List<Expectation> expectations) {

    CheckOptions {
        expectations = List.copyOf(expectations);
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
