package io.echolab.watcher.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;

/**
 * The timeline drawn (--svg): one lane per connection, labelled with its two ends and its owner, each state a
 * coloured stretch along one time axis for the whole watch, so the close delay (the server's CLOSE_WAIT beside
 * the client's FIN_WAIT2) and the 60 s TIME_WAIT are seen at a glance. States shorter than a pixel stay visible
 * as a sliver; every stretch has its state, times and duration as a hover title, and its name written on it
 * when it fits.
 */
public final class TimelineSvg {

    /** More lanes than this are left out (a load run's thousands), and the picture says how many. */
    public static final int MAX_LANES = 400;

    static final double WIDTH = 1400;
    static final double LABELS = 340;
    static final double PLOT_LEFT = 360;
    static final double PLOT_RIGHT = WIDTH - 30;
    static final double LANE = 48;
    static final double BAR = 20;
    /** A state at least this wide whose name does not fit on it gets its name above it, where there is room. */
    static final double CALLOUT_MIN = 4;
    static final double MIN_SLIVER = 2;

    /** The states in the order a connection lives them, for the legend. */
    private static final List<TcpState> LIFE = List.of(TcpState.LISTEN, TcpState.SYN_SENT, TcpState.SYN_RECV,
            TcpState.NEW_SYN_RECV, TcpState.ESTABLISHED, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT,
            TcpState.LAST_ACK, TcpState.CLOSING, TcpState.TIME_WAIT, TcpState.CLOSE);

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd");

    private TimelineSvg() {
    }

    /**
     * @param connections in the order to draw them (the timeline's: first seen first)
     * @param start       when watching began
     * @param end         when it ended: states still open are drawn to here
     * @param subject     what was watched, e.g. {@code port 11233}
     * @param source      where the states came from, e.g. {@code the trace backend}
     */
    public static String render(List<Connection> connections, Instant start, Instant end, ZoneId zone, String subject,
            String source) {
        Instant first = connections.stream().map(c -> c.phases().get(0).start()).min(Instant::compareTo).orElse(start);
        Instant from = first.isBefore(start) ? first : start;
        Instant to = end.isAfter(from) ? end : from.plusMillis(1);
        List<Connection> drawn = connections.size() > MAX_LANES ? connections.subList(0, MAX_LANES) : connections;
        Set<TcpState> seen = EnumSet.noneOf(TcpState.class);
        drawn.forEach(c -> seen.addAll(c.states()));
        List<TcpState> states = LIFE.stream().filter(seen::contains).toList();

        double legendTop = 72;
        double axisTop = legendTop + 46;
        double lanesTop = axisTop + 14;
        double lanesBottom = lanesTop + Math.max(1, drawn.size()) * LANE;
        double height = lanesBottom + 64;
        Svg svg = new Svg(WIDTH, height, "TCP states on " + subject);

        // Heading
        svg.text(20, 32, "TCP states on " + subject, "font-size", "20", "font-weight", "bold", "class", "heading");
        svg.text(20, 54, "watched " + DAY.format(from.atZone(zone)) + " " + CLOCK.format(from.atZone(zone)) + " to "
                + CLOCK.format(to.atZone(zone)) + " (" + zone.getId() + "), " + span(Duration.between(from, to))
                + "; states from " + source + "; " + count(connections.size(), "connection")
                + (drawn.size() < connections.size() ? ", the first " + drawn.size() + " drawn" : ""),
                "font-size", "13", "fill", "#444444", "class", "subheading");
        legend(svg, states, 20, legendTop);

        // Axis
        Axis axis = new Axis(from, to);
        svg.start("g", "class", "axis");
        for (double tick : axis.ticks()) {
            double x = axis.x(tick);
            svg.line(x, axisTop, x, lanesBottom, "#e3e3e3");
            svg.text(x, axisTop - 4, axis.label(tick), "text-anchor", "middle", "font-size", "11", "fill", "#555555");
            svg.text(x, lanesBottom + 16, axis.label(tick), "text-anchor", "middle", "font-size", "11", "fill", "#555555");
        }
        svg.text((PLOT_LEFT + PLOT_RIGHT) / 2, lanesBottom + 36, "time since " + CLOCK.format(from.atZone(zone))
                + " (hover over a state for its times)", "text-anchor", "middle", "font-size", "12", "fill", "#333333");
        svg.end();

        // Lanes
        if (drawn.isEmpty()) {
            svg.text(PLOT_LEFT, lanesTop + 26, "No connection matched.", "class", "empty", "font-size", "14");
        }
        double y = lanesTop;
        boolean shade = false;
        for (Connection connection : drawn) {
            lane(svg, connection, y, shade, axis, to, zone);
            y += LANE;
            shade = !shade;
        }
        return svg.finish();
    }

    private static void lane(Svg svg, Connection connection, double top, boolean shade, Axis axis, Instant end,
            ZoneId zone) {
        ConnectionKey key = connection.key();
        boolean listener = key.remote().getPort() == 0;
        String ends = listener ? AddressText.hostPort(key.local()) + " (listening)"
                : AddressText.hostPort(key.local()) + " \u2192 " + AddressText.hostPort(key.remote());
        String owner = ownerText(connection.owner());
        svg.start("g", "class", "lane", "data-local", AddressText.hostPort(key.local()),
                "data-remote", AddressText.hostPortOrStar(key.remote()), "data-owner", owner,
                "data-states", String.join(",", connection.states().stream().map(TcpState::netstatName).toList()));
        if (shade) {
            svg.rect(10, top, WIDTH - 20, LANE, "#f6f6f6");
        }
        svg.start("text", "x", "20", "y", Svg.number(top + 21), "class", "lane-label", "font-family", Svg.MONO,
                "font-size", "12");
        svg.element("tspan", fit(key.proto() + " " + ends, LABELS - 20, 7.3));
        svg.element("title", key.proto() + " " + ends);
        svg.end();
        svg.text(20, top + 36, owner, "class", "lane-owner", "font-size", "11", "fill", "#555555");

        double barTop = top + LANE - BAR - 6;
        double calloutEnd = Double.NEGATIVE_INFINITY;
        for (Phase phase : connection.phases()) {
            Instant phaseEnd = phase.end() != null ? phase.end() : end;
            double x1 = axis.x(phase.start());
            double x2 = Math.max(axis.x(phaseEnd), x1 + MIN_SLIVER);
            TcpState state = phase.state();
            svg.start("g", "class", "phase", "data-state", state.netstatName());
            svg.rectTitled(x1, barTop, x2 - x1, BAR, StateColors.fill(state), describe(phase, end, zone));
            String duration = (phase.end() == null || !phase.startSeen() ? "\u2265 " : "")
                    + span(Duration.between(phase.start(), phaseEnd));
            String full = state.netstatName() + "  " + duration;
            String label = Svg.width(full, 11) + 8 <= x2 - x1 ? full
                    : Svg.width(state.netstatName(), 11) + 8 <= x2 - x1 ? state.netstatName() : null;
            if (label != null) {
                svg.text(x1 + 4, barTop + BAR / 2 + 4, label, "font-size", "11", "fill", StateColors.ink(state),
                        "pointer-events", "none");
            } else if (x2 - x1 >= CALLOUT_MIN && x1 > calloutEnd + 6) {
                // Too narrow to write on (a short close delay on a minute's axis): above it, if it does not run
                // into the callout before
                svg.text(x1, barTop - 3, full, "font-size", "10", "fill", "#333333", "class", "callout");
                svg.line(x1 + 0.5, barTop - 1, x1 + 0.5, barTop + 2, "#333333");
                calloutEnd = x1 + Svg.width(full, 10);
            }
            svg.end();
        }
        if (connection.gone()) {
            double x = axis.x(connection.last().end());
            svg.start("g", "class", "gone");
            svg.line(x, barTop - 4, x, barTop + BAR + 4, "#000000", "stroke-width", "2");
            svg.element("title", "gone at " + CLOCK.format(connection.last().end().atZone(zone))
                    + ": the kernel freed the socket");
            svg.end();
        }
        svg.end();
    }

    private static void legend(Svg svg, List<TcpState> states, double x, double y) {
        svg.start("g", "class", "legend");
        double at = x;
        for (TcpState state : states) {
            double width = 18 + Svg.width(state.netstatName(), 12) + 16;
            if (at + width > WIDTH - 20) {
                at = x;
                y += 20;
            }
            svg.start("g", "class", "legend-item", "data-state", state.netstatName());
            svg.rect(at, y, 14, 14, StateColors.fill(state), "stroke", "#666666", "stroke-width", "0.5");
            svg.text(at + 19, y + 11.5, state.netstatName(), "font-size", "12");
            svg.end();
            at += width;
        }
        svg.end();
    }

    /** The hover text of one state. */
    static String describe(Phase phase, Instant end, ZoneId zone) {
        StringBuilder text = new StringBuilder(phase.state().netstatName()).append(": ");
        text.append(phase.startSeen() ? "from " : "already there when watching began, at ")
                .append(CLOCK.format(phase.start().atZone(zone)));
        if (phase.end() != null) {
            text.append(" to ").append(CLOCK.format(phase.end().atZone(zone))).append(", ")
                    .append(phase.startSeen() ? "" : "at least ").append(span(phase.duration().orElseThrow()));
        } else {
            text.append(", still there when watching ended (at least ").append(span(Duration.between(phase.start(), end)))
                    .append(')');
        }
        if (phase.timerAtStart() != TimerKind.OFF) {
            text.append("; timer ").append(phase.timerAtStart().jsonName()).append(' ')
                    .append(TimelineRenderer.timer(phase.timerRemainingAtStart())).append(" at its start");
        }
        if (phase.maxRetransmits() > 0) {
            text.append("; ").append(phase.maxRetransmits()).append(" retransmits");
        }
        return text.toString();
    }

    /** {@code echo-client (pid 4242)}, or that the owner is not known. */
    static String ownerText(Optional<Owner> owner) {
        return owner.map(o -> o.command() + " (pid " + o.pid() + ")").orElse("owner unknown");
    }

    /** {@code 46.5 ms}, {@code 2.01 s}, {@code 61.3 s}. */
    static String span(Duration duration) {
        double seconds = duration.toNanos() / 1e9;
        if (seconds < 0.001) {
            return String.format(Locale.ROOT, "%.3f ms", seconds * 1e3);
        }
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.1f ms", seconds * 1e3);
        }
        return String.format(Locale.ROOT, seconds < 10 ? "%.2f s" : "%.1f s", seconds);
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** {@code text}, cut with an ellipsis to fit {@code width} px at {@code perChar} px a character. */
    static String fit(String text, double width, double perChar) {
        int max = (int) (width / perChar);
        return text.length() <= max ? text : text.substring(0, Math.max(1, max - 1)) + "\u2026";
    }

    /** The time axis: seconds since {@code from}, mapped onto the plot's width, with ticks at round numbers. */
    private static final class Axis {
        private final Instant from;
        private final double seconds;
        private final double step;

        Axis(Instant from, Instant to) {
            this.from = from;
            this.seconds = Duration.between(from, to).toNanos() / 1e9;
            this.step = niceStep(seconds / 10);
        }

        double x(Instant time) {
            return x(Duration.between(from, time).toNanos() / 1e9);
        }

        double x(double at) {
            return PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * Math.max(0, Math.min(at, seconds)) / seconds;
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            for (int i = 0; i * step <= seconds * 1.0000001; i++) {
                ticks.add(i * step);
            }
            return ticks;
        }

        String label(double at) {
            if (step >= 1) {
                return String.format(Locale.ROOT, "%.0f s", at);
            }
            if (step >= 0.001) {
                return String.format(Locale.ROOT, "%.0f ms", at * 1e3);
            }
            return String.format(Locale.ROOT, "%.0f \u00b5s", at * 1e6);
        }

        /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
        static double niceStep(double rough) {
            if (rough <= 0) {
                return 1e-6;
            }
            double power = Math.pow(10, Math.floor(Math.log10(rough)));
            for (double m : new double[] {1, 2, 5, 10}) {
                if (m * power >= rough) {
                    return m * power;
                }
            }
            return 10 * power;
        }
    }
}
