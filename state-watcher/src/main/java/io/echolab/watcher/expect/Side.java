package io.echolab.watcher.expect;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.echolab.watcher.model.ConnectionKey;

/**
 * Which connections an expectation is about, told apart by the watched ports ({@code --port}) alone, as a
 * person reading {@code netstat -ant | grep PORT} tells them apart.
 */
public enum Side {

    /** The connecting end: its remote port is a watched port. */
    CLIENT,
    /** The accepted end: its local port is a watched port, and it has a peer (not the listener). */
    SERVER,
    /** The listening socket: no peer; on a watched port, or any when no port is watched. */
    LISTENER,
    /** Any watched socket. */
    ANY;

    /** Whether the connection is on this side of the watched ports (an empty set: every port). */
    public boolean holds(ConnectionKey key, Set<Integer> ports) {
        boolean listening = key.remote().getPort() == 0;
        return switch (this) {
            case CLIENT -> !listening && ports.contains(key.remote().getPort());
            case SERVER -> !listening && ports.contains(key.local().getPort());
            case LISTENER -> listening && (ports.isEmpty() || ports.contains(key.local().getPort()));
            case ANY -> true;
        };
    }

    /** True when this side is defined by the watched ports: client and server. */
    public boolean needsPorts() {
        return this == CLIENT || this == SERVER;
    }

    /** {@code client}, as the spec writes it. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The side a spec names, in any case. */
    static Optional<Side> named(String word) {
        for (Side side : values()) {
            if (side.word().equalsIgnoreCase(word.strip())) {
                return Optional.of(side);
            }
        }
        return Optional.empty();
    }
}
