package io.echolab.watcher;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;

/**
 * How many watched sockets are in each state, as of the latest change or poll: what {@code netstat -n | awk
 * '{++S[$NF]}'} counts. Kept as an immutable copy that any thread (a metrics scrape) may read.
 */
final class StateCounts implements WatchListener {

    private volatile Map<TcpState, Integer> now = Map.of();

    @Override
    public void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
        count(view);
    }

    @Override
    public void onSample(Instant time, List<TcpSocket> view) {
        count(view);
    }

    private void count(List<TcpSocket> view) {
        Map<TcpState, Integer> counts = new EnumMap<>(TcpState.class);
        for (TcpSocket row : view) {
            counts.merge(row.state(), 1, Integer::sum);
        }
        now = Map.copyOf(counts);
    }

    /** The counts by state; a state with no socket is absent. */
    Map<TcpState, Integer> now() {
        return now;
    }
}
