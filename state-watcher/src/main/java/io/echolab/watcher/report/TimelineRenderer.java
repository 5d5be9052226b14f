package io.echolab.watcher.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TimerKind;

/**
 * Each connection's states, one line each, with when each began and how long it lasted:
 *
 * <pre>
 * tcp 127.0.0.1:58332 -> 127.0.0.1:11233  echo-client (pid 4242)
 *   17:03:54.120  ESTABLISHED  1.503 s
 *   17:03:55.623  FIN_WAIT2    10.002 s, timer 59.48s
 *   17:04:05.625  TIME_WAIT    60.010 s, timer 59.99s
 *                 note: TIME_WAIT always lasts 60 s (TCP_TIMEWAIT_LEN, fixed in the kernel: no sysctl changes ...
 *   17:05:05.635  gone
 * </pre>
 *
 * <p>A note follows a state where the kernel did something surprising ({@link Explanations}).
 */
public final class TimelineRenderer {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    /** A note starts under the state's name. */
    private static final String NOTE_INDENT = " ".repeat(16);

    private TimelineRenderer() {
    }

    /**
     * The connections in the given order, a blank line between them.
     *
     * @param exit when watching ended: the states still open lasted at least until then
     */
    public static List<String> render(List<Connection> connections, Instant exit, ZoneId zone) {
        return render(connections, exit, zone, Explanations.Kernel.UNKNOWN);
    }

    /**
     * As {@link #render(List, Instant, ZoneId)}, with a note under each state where the kernel did something
     * surprising ({@link Explanations}), told with what is known of the kernel.
     */
    public static List<String> render(List<Connection> connections, Instant exit, ZoneId zone, Explanations.Kernel kernel) {
        List<String> lines = new ArrayList<>();
        if (connections.isEmpty()) {
            lines.add("No connection matched.");
            return lines;
        }
        lines.add("Each state: when a poll first saw it, and how long it lasted (until a poll saw the next).");
        for (Connection connection : connections) {
            lines.add("");
            lines.add(header(connection.key()) + connection.owner().map(o -> "  " + o.command() + " (pid " + o.pid() + ")")
                    .orElse(""));
            List<Phase> phases = connection.phases();
            for (int i = 0; i < phases.size(); i++) {
                Phase phase = phases.get(i);
                lines.add(line(clock(phase.start(), zone), phase.state().netstatName(), describe(phase, exit)));
                for (String note : Explanations.of(connection, i, kernel, exit)) {
                    lines.add(NOTE_INDENT + "note: " + note);
                }
            }
            if (connection.gone()) {
                lines.add(line(clock(connection.last().end(), zone), "gone", ""));
            }
        }
        return lines;
    }

    /** {@code tcp 127.0.0.1:58332 -> 127.0.0.1:11233}; a listener's remote end is {@code 0.0.0.0:*}. */
    public static String header(ConnectionKey key) {
        return key.proto() + " " + AddressText.hostPortOrStar(key.local()) + " -> " + AddressText.hostPortOrStar(key.remote());
    }

    /** How long the phase lasted, and its timer when it is a time-wait socket's. */
    static String describe(Phase phase, Instant exit) {
        String since = phase.startSeen() ? "" : " since watching began";
        StringBuilder text = new StringBuilder();
        if (phase.end() == null) {
            Duration open = exit.isBefore(phase.start()) ? Duration.ZERO : Duration.between(phase.start(), exit);
            text.append("still open at exit (>= ").append(seconds(open)).append(since).append(')');
        } else {
            text.append(phase.startSeen() ? "" : ">= ").append(seconds(phase.duration().orElseThrow())).append(since);
        }
        if (phase.timerAtStart() == TimerKind.TIME_WAIT) {
            text.append(", timer ").append(timer(phase.timerRemainingAtStart()));
        }
        if (phase.maxRetransmits() > 0) {
            text.append(", retransmits ").append(phase.maxRetransmits());
        }
        return text.toString();
    }

    /** {@code 10.002 s}. */
    static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return String.format(Locale.ROOT, "%d.%03d s", millis / 1000, millis % 1000);
    }

    /** {@code 59.48s}: the kernel counts in ticks of 10 ms. */
    static String timer(Duration remaining) {
        long centis = remaining.toMillis() / 10;
        return String.format(Locale.ROOT, "%d.%02ds", centis / 100, centis % 100);
    }

    private static String clock(Instant time, ZoneId zone) {
        return CLOCK.format(time.atZone(zone));
    }

    private static String line(String time, String state, String description) {
        return String.format(Locale.ROOT, "  %s  %-12s %s", time, state, description).stripTrailing();
    }
}
