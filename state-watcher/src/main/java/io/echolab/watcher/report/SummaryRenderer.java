package io.echolab.watcher.report;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.echolab.watcher.model.TcpState;

/**
 * Counts per state in seed 001's layout, {@code STATE count} lines (its {@code netstat -n | awk '/^tcp/
 * {++S[$NF]} END {for(a in S) print a, S[a]}'}), under the loop's timestamp line; states in the kernel's
 * order, only those with a socket; the names as the table format spells them ({@code TIME_WAIT} or
 * {@code TIME-WAIT}).
 */
public final class SummaryRenderer {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    /** When each state's peak was first reached, and how high it was. */
    public record Peak(int count, Instant at) {
    }

    private SummaryRenderer() {
    }

    /** The timestamp line, then a {@code STATE count} line per state with sockets. */
    public static List<String> counts(Instant time, ZoneId zone, boolean micros, StateCounts counts,
            Function<TcpState, String> names) {
        List<String> lines = new ArrayList<>(counts.counts().size() + 1);
        lines.add(NetstatRenderer.timestamp(time, zone, micros));
        counts.counts().forEach((state, count) -> lines.add(names.apply(state) + " " + count));
        return lines;
    }

    /**
     * At exit: the most sockets each state had at once, and when that was first reached, {@code STATE count
     * HH:mm:ss.SSS}.
     */
    public static List<String> peaks(Map<TcpState, Peak> peaks, ZoneId zone, Function<TcpState, String> names) {
        List<String> lines = new ArrayList<>(peaks.size() + 1);
        if (peaks.isEmpty()) {
            lines.add("Peak: no socket matched.");
            return lines;
        }
        lines.add("Peak of each state (the most at once, and when first reached):");
        for (TcpState state : TcpState.values()) {
            Peak peak = peaks.get(state);
            if (peak != null) {
                lines.add(names.apply(state) + " " + peak.count() + " " + CLOCK.format(peak.at().atZone(zone)));
            }
        }
        return lines;
    }
}
