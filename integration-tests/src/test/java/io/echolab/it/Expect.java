package io.echolab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;

/**
 * The scenario tests' assertions on what the watcher saw, each bound from what the kernel promises (see
 * {@link KernelTime}), measured between stamps the programs or the kernel made.
 *
 * <p>The watcher's time for a change is the kernel's own (the tracepoint) or the moment the kernel answered
 * the poll that saw it: never before the fact, at most one {@link Lab#INTERVAL} and a scheduling delay after. A program's stamp is its clock read just
 * before or just after the call it reports, to the millisecond, a scheduling delay from the call at most.
 */
final class Expect {

    /** How late a watcher sees a change: one poll, and a scheduling delay of its own. */
    static final Duration OBSERVED = Lab.INTERVAL.plus(KernelTime.SCHEDULING);

    private Expect() {
    }

    /** The states a poll is sure to see: after the handshake, without FIN_WAIT1 and LAST_ACK (microseconds to 40 ms). */
    static List<TcpState> pollable(Connection c) {
        return c.states().stream().filter(s -> s != TcpState.SYN_SENT && s != TcpState.SYN_RECV
                && s != TcpState.FIN_WAIT1 && s != TcpState.LAST_ACK).toList();
    }

    /** The states after the handshake (SYN_SENT and SYN_RECV are seen by the tracepoint, a poll only by chance). */
    static List<TcpState> afterHandshake(Connection c) {
        return c.states().stream().filter(s -> s != TcpState.SYN_SENT && s != TcpState.SYN_RECV).toList();
    }

    /** The connection's first phase in this state. */
    static Phase phase(Connection c, TcpState state) {
        return c.phase(state).orElseThrow(() -> new AssertionError("no " + state + " phase in " + c));
    }

    /** The phase's length; fails if it has not ended. */
    static Duration lasted(Phase p) {
        return p.duration().orElseThrow(() -> new AssertionError(p.state() + " has not ended: " + p));
    }

    /**
     * The kernel's change {@code seen} was made by a call the program stamped just before making it (e.g.
     * "server close client socket", then close()): it cannot precede the stamp, and follows it by at most the
     * program's scheduling delay and the watcher's.
     */
    static void madeAfterStamp(Instant seen, Instant stamp, String why, Lab lab) {
        between(seen, stamp, stamp.plus(KernelTime.SCHEDULING).plus(OBSERVED), why, lab);
    }

    /**
     * The kernel's change {@code seen} came before the program stamped a line about it (e.g. "client[0]
     * closed" after read() met the FIN): at most the program's scheduling delay before the stamp, and the
     * watcher may see it up to its own delay after (the stamp drops its microseconds: one more ms).
     */
    static void madeBeforeStamp(Instant seen, Instant stamp, String why, Lab lab) {
        between(seen, stamp.minus(KernelTime.SCHEDULING), stamp.plusMillis(1).plus(OBSERVED), why, lab);
    }

    /** Two ends changed on one event (a segment crossing loopback): seen within a watcher's delay of each other. */
    static void together(Instant a, Instant b, String why, Lab lab) {
        Duration apart = Duration.between(a, b).abs();
        assertTrue(apart.compareTo(OBSERVED) <= 0, why + ": " + apart.toNanos() / 1_000 + " us apart (at most "
                + OBSERVED.toMillis() + " ms)\n" + lab.describe());
    }

    /** A phase the program held open for at least {@code delay} (a sleep is never shorter): lasted that long. */
    static void lastedAtLeast(Phase p, Duration delay, String why, Lab lab) {
        // Seen late at its start by up to the watcher's delay, and at its end on time at the earliest
        Duration lasted = lasted(p);
        assertTrue(lasted.compareTo(delay.minus(OBSERVED)) >= 0, why + ": " + p.state() + " lasted " + lasted.toMillis()
                + " ms, the program held it " + delay.toMillis() + " ms\n" + lab.describe());
    }

    /**
     * A phase a kernel timer of {@code timeout} ended (TIME_WAIT's 60 s, tcp_fin_timeout): never before the
     * timeout, at most the timer wheel's slack for it after, each end seen up to a watcher's delay late.
     */
    static void endedByTimer(Phase p, Duration timeout, String why, Lab lab) {
        Duration lasted = lasted(p);
        Duration least = timeout.minus(OBSERVED);
        Duration most = timeout.plus(KernelTime.wheelSlack(timeout)).plus(OBSERVED);
        assertTrue(lasted.compareTo(least) >= 0 && lasted.compareTo(most) <= 0,
                why + ": " + p.state() + " lasted " + lasted.toMillis() + " ms; a " + timeout.toMillis() + " ms timer at HZ="
                        + KernelTime.hz() + " on " + lab.kernel() + " ends after " + least.toMillis() + " to "
                        + most.toMillis() + " ms\n" + lab.describe());
    }

    /**
     * An orphan retransmitting into silence was sent again as often as the kernel's schedule says, for an RTO
     * between the two schedules' (see {@link KernelTime#orphan}); a boundary may fall between them.
     */
    static void orphanRetransmitted(Phase p, KernelTime.Orphan early, KernelTime.Orphan late, Lab lab) {
        int least = Math.min(early.retransmits(), late.retransmits());
        int most = Math.max(early.retransmits(), late.retransmits());
        assertTrue(p.maxRetransmits() >= least && p.maxRetransmits() <= most, "the kernel sends the segment again "
                + least + " to " + most + " times before it gives up; the watcher saw " + p.maxRetransmits() + "\n"
                + lab.describe());
    }

    /** ...and was freed when that schedule gives up: each end seen up to a watcher's delay late, each firing up to its wheel slack. */
    static void orphanGaveUp(Phase p, KernelTime.Orphan early, KernelTime.Orphan late, int orphanRetries, Lab lab) {
        Duration lasted = lasted(p);
        Duration least = min(early.lifetime(), late.lifetime()).minus(OBSERVED);
        Duration most = max(early.lifetime().plus(early.slack()), late.lifetime().plus(late.slack())).plus(OBSERVED);
        assertTrue(lasted.compareTo(least) >= 0 && lasted.compareTo(most) <= 0, "with tcp_orphan_retries " + orphanRetries
                + " the kernel gives up " + least.toMillis() + " to " + most.toMillis() + " ms after the segment was first"
                + " sent; " + p.state() + " lasted " + lasted.toMillis() + " ms\n" + lab.describe());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The states in this order (as {@link #pollable} or {@link #afterHandshake} gives them). */
    static void states(List<TcpState> expected, List<TcpState> actual, String why, Lab lab) {
        assertEquals(expected, actual, why + "\n" + lab.describe());
    }

    /** The watcher named the program that held the connection's socket (by pid, and by name when it has one). */
    static void ownedBy(Connection c, Lab.ExpectedOwner expected, String why, Lab lab) {
        Owner owner = c.owner().orElseThrow(() -> new AssertionError(why + ": no owner found for " + c.key() + "\n"
                + lab.describe()));
        assertEquals(expected.pid(), owner.pid(), why + ": the owner's pid\n" + lab.describe());
        expected.command().ifPresent(command -> assertEquals(command, owner.command(), why + ": the owner's name"));
    }

    /** What a RST leaves: each side ESTABLISHED, then gone at the same moment, no closing state anywhere. */
    static void resetEndedBoth(Connection client, Connection server, Story story, Lab lab) {
        states(List.of(TcpState.ESTABLISHED), afterHandshake(client), "RST: no closing state on the client", lab);
        states(List.of(TcpState.ESTABLISHED), afterHandshake(server), "RST: no closing state on the server", lab);
        assertTrue(client.gone() && server.gone(), "both sockets are gone\n" + lab.describe());
        together(client.last().end(), server.last().end(), "the RST ends both sides at once", lab);
        for (TcpState closing : List.of(TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT, TcpState.TIME_WAIT)) {
            assertFalse(story.anyIn(closing), "RST, not FIN: no " + closing + " anywhere\n" + lab.describe());
        }
    }

    private static void between(Instant seen, Instant earliest, Instant latest, String why, Lab lab) {
        assertTrue(!seen.isBefore(earliest) && !seen.isAfter(latest), why + ": seen at " + seen + ", expected between "
                + earliest + " and " + latest + "\n" + lab.describe());
    }
}
