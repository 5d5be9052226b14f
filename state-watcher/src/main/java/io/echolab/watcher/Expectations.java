package io.echolab.watcher;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.echolab.watcher.expect.Expectation;
import io.echolab.watcher.expect.Step;
import io.echolab.watcher.expect.Verdict;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;

/**
 * Judges {@code --expect} as the watch goes. An expectation is met as soon as a connection on its side has
 * gone through its steps. It fails as soon as nothing on its side could still meet it: every connection on
 * that side has ended without going through them, and one of them began while watched (one already there when
 * watching began may have passed through states unseen: it can meet an expectation, but alone it never fails
 * one, so a TIME_WAIT left by an earlier run does not decide a new run's watch). When every expectation is met,
 * or one has failed, the watch has nothing left to learn and {@code decided} ends it. Attach it after the
 * {@link Timeline} it reads.
 */
final class Expectations implements WatchListener {

    private final List<Expectation> expectations;
    private final Set<Integer> ports;
    private final Timeline timeline;
    private final boolean polled;
    private final Runnable decided;
    /** True when a step has a lower bound: time alone, with no change, can meet it. */
    private final boolean timed;
    /** Each expectation's verdict once decided; null until then. */
    private final Verdict[] verdicts;
    private boolean over;

    /**
     * @param ports   the watched ports, which tell client from server
     * @param polled  the backend polls: a brief state may pass unseen (see {@link Expectation#stepsMet})
     * @param decided ends the watch; called once, on the watcher's thread
     */
    Expectations(List<Expectation> expectations, Set<Integer> ports, Timeline timeline, boolean polled, Runnable decided) {
        this.expectations = List.copyOf(expectations);
        this.ports = Set.copyOf(ports);
        this.timeline = Objects.requireNonNull(timeline, "timeline");
        this.polled = polled;
        this.decided = Objects.requireNonNull(decided, "decided");
        this.timed = expectations.stream().flatMap(e -> e.steps().stream())
                .anyMatch(step -> step.bound().map(Step.Bound::atLeast).orElse(false));
        this.verdicts = new Verdict[expectations.size()];
    }

    @Override
    public synchronized void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
        judge(time);
    }

    @Override
    public synchronized void onSample(Instant time, List<TcpSocket> view) {
        if (timed) {
            judge(time);
        }
    }

    private void judge(Instant now) {
        if (over) {
            return;
        }
        for (int i = 0; i < expectations.size(); i++) {
            if (verdicts[i] == null) {
                verdicts[i] = decide(expectations.get(i), now);
            }
        }
        boolean failed = Arrays.stream(verdicts).anyMatch(v -> v != null && !v.met());
        boolean allMet = Arrays.stream(verdicts).allMatch(v -> v != null && v.met());
        if (failed || allMet) {
            over = true;
            decided.run();
        }
    }

    /** Met by a connection, or failed when every one on that side has ended without it; null while undecided. */
    private Verdict decide(Expectation expectation, Instant now) {
        List<Connection> candidates = candidates(expectation);
        for (Connection c : candidates) {
            int met = expectation.stepsMet(c, now, polled);
            if (met == expectation.steps().size()) {
                return new Verdict(expectation, Verdict.Outcome.MET, Optional.of(c), met, now);
            }
        }
        if (!candidates.isEmpty() && candidates.stream().allMatch(Connection::gone)
                && candidates.stream().anyMatch(c -> c.phases().get(0).startSeen())) {
            return closest(expectation, candidates, now, Verdict.Outcome.NOT_MET);
        }
        return null;
    }

    /** The verdict shown with the connection that met the most steps (the first such), if there was one. */
    private Verdict closest(Expectation expectation, List<Connection> candidates, Instant now, Verdict.Outcome outcome) {
        Connection closest = null;
        int best = 0;
        for (Connection c : candidates) {
            int met = expectation.stepsMet(c, now, polled);
            if (closest == null || met > best) {
                best = met;
                closest = c;
            }
        }
        return new Verdict(expectation, outcome, Optional.ofNullable(closest), best, now);
    }

    private List<Connection> candidates(Expectation expectation) {
        return timeline.connections(key -> expectation.side().holds(key, ports));
    }

    /**
     * Every expectation's verdict as of {@code end}, in the order given: those not decided by then are not
     * met, shown with the connection on their side that met the most steps (the first such), if any.
     */
    synchronized List<Verdict> verdicts(Instant end) {
        List<Verdict> all = new ArrayList<>(expectations.size());
        for (int i = 0; i < expectations.size(); i++) {
            Expectation expectation = expectations.get(i);
            all.add(verdicts[i] != null ? verdicts[i]
                    : closest(expectation, candidates(expectation), end, Verdict.Outcome.UNDECIDED));
        }
        return all;
    }
}
