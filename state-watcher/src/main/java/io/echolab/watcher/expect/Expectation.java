package io.echolab.watcher.expect;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import io.echolab.common.DurationConverter;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * What {@code --expect} asks of a connection: the states it goes through, in order, e.g.
 * {@code client:ESTABLISHED,FIN_WAIT2,TIME_WAIT,CLOSED} or {@code server:CLOSE_WAIT>=2s}.
 *
 * <pre>
 * SPEC  = [SIDE ":"] STEP ("," STEP)*
 * SIDE  = client | server | listener | any          (default: any)
 * STEP  = STATE [(">=" | "<=") DURATION] | CLOSED    (CLOSED: the socket is gone; last, without a duration)
 * STATE = a state as netstat names it: ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT,
 *         CLOSE_WAIT, LAST_ACK, CLOSING, LISTEN (any case)
 * </pre>
 *
 * @param text  the spec as written, for messages
 * @param side  which connections it is about
 * @param steps the states in order; CLOSED only last
 */
public record Expectation(String text, Side side, List<Step> steps) {

    /** The states a spec may name: those netstat prints, less CLOSE (a socket that is gone is CLOSED here). */
    private static final List<TcpState> NAMED = Arrays.stream(TcpState.values())
            .filter(s -> s != TcpState.CLOSE && s != TcpState.NEW_SYN_RECV).toList();

    public Expectation {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(side, "side");
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("an expectation has at least one step");
        }
        for (int i = 0; i < steps.size() - 1; i++) {
            if (steps.get(i).closed()) {
                throw new IllegalArgumentException("CLOSED can only be the last step");
            }
        }
    }

    /**
     * Reads a spec; a bad one is an exception whose message quotes the bad part and says where it is.
     *
     * @throws IllegalArgumentException naming the bad part
     */
    public static Expectation parse(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("an empty spec: write [SIDE:]STATE,STATE..., e.g. "
                    + "client:ESTABLISHED,FIN_WAIT2,TIME_WAIT,CLOSED");
        }
        Side side = Side.ANY;
        int at = 0;
        int colon = text.indexOf(':');
        if (colon >= 0) {
            String word = text.substring(0, colon);
            side = Side.named(word).orElseThrow(() -> bad(text, 0, word, "is not a side: client, server, listener or any"));
            at = colon + 1;
        }
        if (text.substring(at).isBlank()) {
            throw bad(text, 0, text, "names no state: write " + text.strip() + "STATE,STATE...");
        }
        List<Step> steps = new ArrayList<>();
        for (String token : text.substring(at).split(",", -1)) {
            Step step = step(text, at, token);
            if (!steps.isEmpty() && steps.get(steps.size() - 1).closed()) {
                throw bad(text, at, token, "follows CLOSED, which can only be the last step");
            }
            if (!steps.isEmpty() && !step.closed() && steps.get(steps.size() - 1).state().equals(step.state())) {
                throw bad(text, at, token, "repeats the state before it: a state ends only when another begins");
            }
            steps.add(step);
            at += token.length() + 1;
        }
        return new Expectation(text, side, steps);
    }

    private static Step step(String text, int at, String token) {
        String trimmed = token.strip();
        if (trimmed.isEmpty()) {
            throw bad(text, at, token, "is an empty step: a state is missing between commas");
        }
        int op = indexOfAny(trimmed, ">=", "<=");
        String name = (op < 0 ? trimmed : trimmed.substring(0, op)).strip();
        if (op < 0 && (trimmed.contains(">") || trimmed.contains("<") || trimmed.contains("="))) {
            throw bad(text, at, token, "has a bound that is neither >= nor <= (e.g. CLOSE_WAIT>=2s)");
        }
        if (name.equalsIgnoreCase("CLOSED")) {
            if (op >= 0) {
                throw bad(text, at, token, "bounds CLOSED, which lasts for ever: only a state can have a duration");
            }
            return new Step(Optional.empty(), Optional.empty());
        }
        TcpState state = NAMED.stream().filter(s -> s.netstatName().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> bad(text, at, name, "is not a state as netstat names it" + suggestion(name) + "; states: "
                        + NAMED.stream().map(TcpState::netstatName).collect(Collectors.joining(", ")) + ", or CLOSED"));
        if (op < 0) {
            return new Step(Optional.of(state), Optional.empty());
        }
        String duration = trimmed.substring(op + 2).strip();
        if (duration.isEmpty()) {
            throw bad(text, at, token, "has no duration after " + trimmed.substring(op, op + 2) + " (e.g. CLOSE_WAIT>=2s)");
        }
        Duration bound;
        try {
            bound = DurationConverter.parse(duration);
        } catch (TypeConversionException e) {
            throw bad(text, at, duration, "is not a duration: use a number and a unit, like 500ms, 2s or 1m");
        }
        return new Step(Optional.of(state), Optional.of(new Step.Bound(trimmed.startsWith(">=", op), bound)));
    }

    /** {@code (did you mean FIN_WAIT2?)} for ss's or LAB.md's spellings: FIN-WAIT-2, FIN_WAIT_2, ESTAB, TIME-WAIT. */
    private static String suggestion(String name) {
        String squeezed = name.replace("_", "").replace("-", "").toUpperCase(Locale.ROOT);
        if (squeezed.equals("CLOSE")) {
            return " (did you mean CLOSED, the socket gone?)";
        }
        for (TcpState state : NAMED) {
            String candidate = state.netstatName().replace("_", "");
            if (candidate.equals(squeezed) || candidate.startsWith(squeezed) && squeezed.length() >= 4) {
                return " (did you mean " + state.netstatName() + "?)";
            }
        }
        return "";
    }

    private static int indexOfAny(String text, String a, String b) {
        int i = text.indexOf(a);
        int j = text.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    private static IllegalArgumentException bad(String text, int at, String part, String why) {
        int where = text.indexOf(part, at);
        return new IllegalArgumentException("'" + text + "': '" + part.strip() + "'"
                + (where >= 0 ? " (at character " + (where + 1) + ")" : "") + " " + why);
    }

    /**
     * How many of the steps the connection has gone through, in order, as of {@code now}: all of them when it
     * meets this expectation. The steps are met by consecutive phases, except that a connection may pass
     * through brief states ({@link Step#BRIEF}) the spec does not list between two it does (the tracepoint
     * shows FIN_WAIT1 between ESTABLISHED and FIN_WAIT2; a poll mostly does not). A first step may be met by
     * any phase; CLOSED by the connection's end.
     *
     * @param polled true when the watcher polls: a brief state the spec lists without a bound then counts as
     *               passed through when the poll missed it; the tracepoint sees them all and must have seen it
     */
    public int stepsMet(Connection connection, Instant now, boolean polled) {
        return best(connection, now, polled, 0, 0, false);
    }

    /** True when the connection has gone through every step. */
    public boolean isMetBy(Connection connection, Instant now, boolean polled) {
        return stepsMet(connection, now, polled) == steps.size();
    }

    /**
     * The most steps met from step {@code k} on, with phase {@code i} the first still free; {@code anchored}
     * when step {@code k - 1} was met by phase {@code i - 1}, so the phases skipped before step k's must be brief.
     */
    private int best(Connection c, Instant now, boolean polled, int k, int i, boolean anchored) {
        if (k == steps.size()) {
            return k;
        }
        Step step = steps.get(k);
        List<Phase> phases = c.phases();
        if (step.closed()) {
            boolean onlyBriefLeft = phases.subList(i, phases.size()).stream().allMatch(p -> Step.BRIEF.contains(p.state()));
            return c.gone() && (!anchored || onlyBriefLeft) ? k + 1 : k;
        }
        int result = k;
        if (polled && step.missable()) {
            result = Math.max(result, best(c, now, polled, k + 1, i, anchored));
        }
        for (int j = i; j < phases.size(); j++) {
            if (step.isMetBy(phases.get(j), now)) {
                result = Math.max(result, best(c, now, polled, k + 1, j + 1, true));
            }
            if (anchored && !Step.BRIEF.contains(phases.get(j).state())) {
                break;
            }
        }
        return result;
    }

    /** Reads --expect's value; a bad spec is a usage error naming its bad part. */
    public static final class Converter implements ITypeConverter<Expectation> {
        @Override
        public Expectation convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
