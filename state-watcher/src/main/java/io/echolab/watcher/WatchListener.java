package io.echolab.watcher;

import java.time.Instant;
import java.util.List;

import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;

/** Hears what a {@link Watcher} sees; called on the polling thread, changes first, then the sample. */
public interface WatchListener {

    /** Every poll: the rows that passed the filter, in /proc's order (tcp, then tcp6). */
    default void onSample(Instant time, List<TcpSocket> matching) {
    }

    /** A connection appeared, changed state, or vanished since the poll before. */
    default void onChange(StateChange change) {
    }
}
