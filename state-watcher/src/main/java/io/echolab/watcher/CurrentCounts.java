package io.echolab.watcher;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.report.StateCounts;

/**
 * The watched sockets' {@link StateCounts} as of the latest change or poll, kept where any thread (a metrics
 * scrape) may read them.
 */
final class CurrentCounts implements WatchListener {

    private volatile StateCounts now = StateCounts.of(List.of());

    @Override
    public void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
        now = StateCounts.of(view);
    }

    @Override
    public void onSample(Instant time, List<TcpSocket> view) {
        now = StateCounts.of(view);
    }

    /** The counts by state; a state with no socket is absent. */
    Map<TcpState, Integer> now() {
        return now.counts();
    }
}
