package io.echolab.watcher;

import java.time.Instant;
import java.util.List;

import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;

/** Hears what a {@link Watcher} sees; called on the watcher's thread. */
public interface WatchListener {

    /**
     * Connections appeared, changed state or ended at {@code time}: with a polled backend, everything a poll
     * found changed; with the tracepoint, one transition.
     *
     * @param view every watched socket right after these changes
     */
    default void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
    }

    /** After every poll, changed or not: every watched socket now. */
    default void onSample(Instant time, List<TcpSocket> view) {
    }

    /** True when this listener wants a sample every interval even when no poll is needed (--every-poll). */
    default boolean everyPoll() {
        return false;
    }
}
