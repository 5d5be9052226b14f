package io.echolab.watcher;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.report.StateCounts;
import io.echolab.watcher.report.SummaryRenderer;
import io.echolab.watcher.report.SummaryRenderer.Peak;

/**
 * Prints counts per state instead of rows (--summary): after a poll whose counts differ from those last
 * printed, or every {@code every} (--summary-every); at exit, each state's peak. The peaks are kept from
 * every change (each transition, with the tracepoint), so a state shorter than a poll still has its peak.
 */
final class SummaryPrinter implements WatchListener {

    private final Output out;
    private final ZoneId zone;
    private final boolean micros;
    private final Function<TcpState, String> names;
    private final Optional<Duration> every;
    private final Map<TcpState, Peak> peaks = new EnumMap<>(TcpState.class);
    private StateCounts printed;
    private Instant due;

    /**
     * @param names how the table format spells each state
     * @param every print this often whatever changed; empty to print when the counts change
     */
    SummaryPrinter(Output out, ZoneId zone, boolean micros, Function<TcpState, String> names, Optional<Duration> every) {
        this.out = out;
        this.zone = zone;
        this.micros = micros;
        this.names = names;
        this.every = every;
    }

    @Override
    public void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
        climb(time, StateCounts.of(view));
    }

    @Override
    public void onSample(Instant time, List<TcpSocket> view) {
        StateCounts counts = StateCounts.of(view);
        climb(time, counts);
        boolean print;
        if (every.isPresent()) {
            print = due == null || !time.isBefore(due);
            if (print) {
                // Keep to the schedule from the first block, however late this poll came.
                due = due == null ? time.plus(every.get()) : due.plus(every.get());
                while (!due.isAfter(time)) {
                    due = due.plus(every.get());
                }
            }
        } else {
            print = !counts.equals(printed);
        }
        if (print) {
            printed = counts;
            out.print(SummaryRenderer.counts(time, zone, micros, counts, names));
        }
    }

    /** The peak of each state, printed at exit. */
    void finish() {
        out.print(SummaryRenderer.peaks(peaks, zone, names));
    }

    private void climb(Instant time, StateCounts counts) {
        counts.counts().forEach((state, count) -> {
            Peak peak = peaks.get(state);
            if (peak == null || count > peak.count()) {
                peaks.put(state, new Peak(count, time));
            }
        });
    }
}
