package io.echolab.watcher.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.echolab.watcher.expect.Verdict;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;

/**
 * An --expect verdict as one line, with what the deciding (or closest) connection went through:
 *
 * <pre>
 * --expect 'client:ESTABLISHED,TIME_WAIT' not met: every connection on its side ended without it; the closest,
 *     tcp 127.0.0.1:50214 -> 127.0.0.1:11233 (echo-client, pid 4242), went ESTABLISHED 1.203 s, CLOSED (1 of 2 steps met)
 * </pre>
 * (one line, folded here).
 */
public final class ExpectRenderer {

    private ExpectRenderer() {
    }

    /**
     * @param ports what was watched, to say which connections were looked for when none was seen
     */
    public static String line(Verdict verdict, Set<Integer> ports) {
        String spec = "--expect '" + verdict.expectation().text() + "'";
        int steps = verdict.expectation().steps().size();
        if (verdict.connection().isEmpty()) {
            return spec + " not met: no " + looked(verdict, ports) + " was seen";
        }
        Connection c = verdict.connection().get();
        String seen = TimelineRenderer.header(c.key()) + c.owner().map(o -> " (" + o.command() + ", pid " + o.pid() + ")")
                .orElse("");
        String went = went(c, verdict.at());
        return switch (verdict.outcome()) {
            case MET -> spec + " met by " + seen + ": " + went;
            case NOT_MET -> spec + " not met: every connection on its side ended without it; the closest, " + seen
                    + ", went " + went + " (" + verdict.stepsMet() + " of " + steps + " steps met)";
            case UNDECIDED -> spec + " not met by the end of the watch: the closest, " + seen + ", went " + went + " ("
                    + verdict.stepsMet() + " of " + steps + " steps met)";
        };
    }

    /**
     * {@code ESTABLISHED 1.203 s, FIN_WAIT2 2.001 s so far}; {@code >= } when a state began before watching.
     *
     * @param end a state still open lasted until then
     */
    static String went(Connection c, Instant end) {
        List<String> states = new ArrayList<>();
        for (Phase phase : c.phases()) {
            Instant until = phase.end() != null ? phase.end() : end;
            Duration lasted = until.isBefore(phase.start()) ? Duration.ZERO : Duration.between(phase.start(), until);
            states.add(phase.state().netstatName() + " " + (phase.startSeen() ? "" : ">= ") + TimelineRenderer.seconds(lasted)
                    + (phase.end() == null ? " so far" : ""));
        }
        if (c.gone()) {
            states.add("CLOSED");
        }
        return String.join(", ", states);
    }

    private static String looked(Verdict verdict, Set<Integer> ports) {
        String list = ports.stream().sorted().map(String::valueOf).collect(Collectors.joining(" or "));
        return switch (verdict.expectation().side()) {
            case CLIENT -> "client connection (remote port " + list + ")";
            case SERVER -> "server connection (local port " + list + ", accepted)";
            case LISTENER -> "listener" + (ports.isEmpty() ? "" : " on port " + list);
            case ANY -> "connection" + (ports.isEmpty() ? "" : " on port " + list);
        };
    }
}
