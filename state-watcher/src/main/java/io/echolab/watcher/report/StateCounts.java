package io.echolab.watcher.report;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;

/**
 * How many sockets are in each state, as {@code netstat -n | awk '/^tcp/ {++S[$NF]} END {for(a in S) print a, S[a]}'}
 * counts them: every row counts once, a listener too.
 */
public record StateCounts(Map<TcpState, Integer> counts) {

    public StateCounts {
        EnumMap<TcpState, Integer> copy = new EnumMap<>(TcpState.class);
        counts.forEach((state, count) -> {
            if (count < 0) {
                throw new IllegalArgumentException("a count cannot be negative: " + state + " " + count);
            }
            if (count > 0) {
                copy.put(state, count);
            }
        });
        counts = Collections.unmodifiableMap(copy);
    }

    /** The counts of these rows. */
    public static StateCounts of(List<TcpSocket> rows) {
        EnumMap<TcpState, Integer> counts = new EnumMap<>(TcpState.class);
        for (TcpSocket row : rows) {
            counts.merge(row.state(), 1, Integer::sum);
        }
        return new StateCounts(counts);
    }

    /** The sockets in this state; 0 when none. */
    public int get(TcpState state) {
        return counts.getOrDefault(state, 0);
    }
}
