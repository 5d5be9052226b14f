package io.echolab.watcher.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;

/**
 * What the kernel did that surprises a student, said under the state where it happened: TIME_WAIT's fixed
 * 60 s, an orphaned FIN_WAIT2 dropped after {@code tcp_fin_timeout}, a connection reset instead of closed,
 * a CLOSE_WAIT that lasted (its program has not called close()). Read from a connection's phases only.
 */
public final class Explanations {

    /** A CLOSE_WAIT at least this long is worth a word: a request/response closes in milliseconds. */
    public static final Duration LONG_CLOSE_WAIT = Duration.ofSeconds(1);

    /** The states a connection closed with FINs passes through before it goes; leaving from another is a reset. */
    private static final Set<TcpState> RESET_IF_GONE_FROM = EnumSet.of(TcpState.ESTABLISHED, TcpState.SYN_RECV,
            TcpState.CLOSE_WAIT, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.CLOSING);

    /**
     * What is known of the watched kernel.
     *
     * @param finTimeout      the namespace's {@code tcp_fin_timeout}, when it could be read
     * @param everyTransition true when the backend hears every transition (the tracepoint), so a state not
     *                        seen was not there; false when polls miss states shorter than the interval
     */
    public record Kernel(Optional<Duration> finTimeout, boolean everyTransition) {

        /** Nothing known: a polled backend, the sysctl unread. */
        public static final Kernel UNKNOWN = new Kernel(Optional.empty(), false);
    }

    private Explanations() {
    }

    /**
     * The explanations for phase {@code index} of the connection, in the order to print them; none for most.
     *
     * @param exit when watching ended: a phase still open then lasted at least until it
     */
    public static List<String> of(Connection connection, int index, Kernel kernel, Instant exit) {
        List<Phase> phases = connection.phases();
        Phase phase = phases.get(index);
        boolean last = index == phases.size() - 1;
        boolean goneAfter = last && connection.gone();
        Duration lasted = phase.duration().orElseGet(
                () -> exit.isBefore(phase.start()) ? Duration.ZERO : Duration.between(phase.start(), exit));
        boolean orphaned = phase.state() == TcpState.FIN_WAIT2 && phase.timersSeen().contains(TimerKind.TIME_WAIT);
        List<String> notes = new ArrayList<>(2);

        switch (phase.state()) {
            case TIME_WAIT -> notes.add("TIME_WAIT always lasts 60 s (TCP_TIMEWAIT_LEN, fixed in the kernel: no sysctl "
                    + "changes it), so a late copy of the peer's FIN is answered, not reset");
            case CLOSE_WAIT -> {
                if (lasted.compareTo(LONG_CLOSE_WAIT) >= 0) {
                    String program = connection.owner().map(o -> "its program (" + o.command() + ", pid " + o.pid() + ")")
                            .orElse("the program that holds it");
                    notes.add("the peer has closed; this end stays in CLOSE_WAIT until " + program
                            + " calls close(): one that never ends is a missing close()");
                }
            }
            case FIN_WAIT2 -> {
                if (orphaned && !last) {
                    break; // the peer's FIN came: TIME_WAIT follows, explained there
                }
                if (orphaned && !goneAfter) {
                    notes.add("orphaned: its program has closed the socket; if the peer's FIN never comes, the kernel "
                            + "drops it after tcp_fin_timeout (" + finTimeout(kernel) + "), with no TIME_WAIT");
                } else if (orphaned && expired(phase, lasted, kernel)) {
                    notes.add("orphaned: its program had closed the socket and the peer never sent its FIN, so the "
                            + "kernel dropped it after tcp_fin_timeout (" + finTimeout(kernel) + "), with no TIME_WAIT");
                    return notes;
                }
            }
            default -> {
            }
        }

        if (goneAfter && RESET_IF_GONE_FROM.contains(phase.state())) {
            reset(phase, orphaned, kernel).ifPresent(notes::add);
        }
        return notes;
    }

    /** Gone from a state a close with FINs does not end in: what ended it. */
    private static Optional<String> reset(Phase phase, boolean orphaned, Kernel kernel) {
        String from = phase.state().netstatName();
        if (orphaned && kernel.finTimeout().isEmpty() && phase.timerAtStart() != TimerKind.TIME_WAIT) {
            return Optional.of("gone from an orphaned FIN_WAIT2 with no TIME_WAIT: dropped after tcp_fin_timeout, "
                    + "or reset by the peer (a RST)");
        }
        switch (phase.state()) {
            case FIN_WAIT1, FIN_WAIT2, CLOSING -> {
                return Optional.of("gone from " + from + " with no TIME_WAIT: a RST ended it (the peer's, or a close() "
                        + "with SO_LINGER 0), or the kernel gave up retransmitting its FIN");
            }
            default -> {
            }
        }
        if (kernel.everyTransition()) {
            return Optional.of("reset, not closed: it went from " + from + " to gone without the FIN states, so a RST "
                    + "ended it (a close() with SO_LINGER 0 or with unread data, or the peer's RST)");
        }
        // A poll misses states shorter than its interval: LAST_ACK after CLOSE_WAIT, or a whole fast close.
        if (phase.state() == TcpState.ESTABLISHED) {
            return Optional.of("gone straight from ESTABLISHED: reset by a RST (SO_LINGER 0, or the peer's), or "
                    + "closed faster than a poll could see; --backend trace tells which");
        }
        return Optional.empty();
    }

    /**
     * Whether an orphaned FIN_WAIT2 lasted its timer out: at least tcp_fin_timeout (less a second for polls
     * and the phase's start), or, when that is unknown, the time left on its timer when first seen.
     */
    private static boolean expired(Phase phase, Duration lasted, Kernel kernel) {
        Duration slack = Duration.ofSeconds(1);
        if (kernel.finTimeout().isPresent() && phase.startSeen()) {
            return lasted.compareTo(kernel.finTimeout().get().minus(slack)) >= 0;
        }
        if (phase.timerAtStart() == TimerKind.TIME_WAIT) {
            return lasted.compareTo(phase.timerRemainingAtStart().minus(slack)) >= 0;
        }
        return false;
    }

    private static String finTimeout(Kernel kernel) {
        return kernel.finTimeout().map(t -> t.toSeconds() + " s in this namespace")
                .orElse("net.ipv4.tcp_fin_timeout of the watched namespace, 60 s by default");
    }
}
