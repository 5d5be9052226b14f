package io.echolab.watcher.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A socket that has stayed in CLOSE_WAIT longer than {@code --alert-close-wait}: its peer closed, and its own
 * program has not called close(), the classic leak (LAB.md's S5). Raised once per connection.
 *
 * @param time      when the watcher noticed (the poll at which the age passed the threshold)
 * @param since     when the socket entered CLOSE_WAIT, as the watcher saw it
 * @param sinceSeen false when it was already in CLOSE_WAIT when watching began: it has been longer
 * @param threshold the option's duration
 * @param owner     the process that holds the socket, when it could be found
 */
public record CloseWaitAlert(Instant time, ConnectionKey key, Instant since, boolean sinceSeen, Duration threshold,
        Optional<Owner> owner) {

    public CloseWaitAlert {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(threshold, "threshold");
        Objects.requireNonNull(owner, "owner");
        if (time.isBefore(since)) {
            throw new IllegalArgumentException("an alert at " + time + " for a CLOSE_WAIT since " + since);
        }
    }

    /** How long the socket has been in CLOSE_WAIT (at least, when its start was not seen). */
    public Duration age() {
        return Duration.between(since, time);
    }
}
