package io.echolab.watcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.echolab.watcher.RecordedRun;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;

/**
 * The notes under surprising states: from a recorded real run where the kernel's behaviour takes a sysctl
 * or a minute to show (S6's orphaned FIN_WAIT2), and from phases set up here for the choices between notes.
 * WatcherNotesLiveTest makes the quick ones happen on real sockets.
 */
class ExplanationsTest {

    private static final Instant T0 = Instant.parse("2022-07-10T09:00:00Z");

    @Test
    void orphanedFinWait2DroppedByTcpFinTimeoutFromARecordedRun() throws IOException {
        List<Connection> connections = RecordedRun.timeline("orphan-fin-wait2.jsonl");
        Connection client = connections.stream()
                .filter(c -> c.key().local().getPort() == 58072 && c.key().remote().getPort() == 11233).findFirst().orElseThrow();
        int finWait2 = client.states().indexOf(TcpState.FIN_WAIT2);
        Instant exit = Instant.parse("2026-11-21T21:41:07.331Z");

        List<String> notes = Explanations.of(client, finWait2, new Explanations.Kernel(Optional.of(Duration.ofSeconds(3)), false), exit);

        assertEquals(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2), client.states());
        assertTrue(client.gone(), "the recording has the FIN_WAIT2 go, with no TIME_WAIT");
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.get(0).contains("orphaned") && notes.get(0).contains("tcp_fin_timeout (3 s in this namespace)")
                && notes.get(0).contains("no TIME_WAIT"), notes.get(0));
        Connection server = connections.stream().filter(c -> c.key().local().getPort() == 11233
                && c.key().remote().getPort() == 58072).findFirst().orElseThrow();
        assertTrue(Explanations.of(server, server.states().indexOf(TcpState.CLOSE_WAIT), Explanations.Kernel.UNKNOWN, exit)
                .get(0).contains("until its program (echo-server, pid 8720) calls close()"), "the server never closed: 7 s of CLOSE_WAIT");
    }

    @Test
    void orphanedFinWait2GoneBeforeItsTimeoutWasReset() throws IOException {
        Connection client = connection(true, new Phase(TcpState.FIN_WAIT2, T0, T0.plusMillis(300), true, TimerKind.TIME_WAIT,
                Duration.ofSeconds(60), 0, 0, Set.of(TimerKind.TIME_WAIT)));

        String note = only(Explanations.of(client, 0, new Explanations.Kernel(Optional.of(Duration.ofSeconds(60)), true), T0));

        assertTrue(note.startsWith("gone from FIN_WAIT2 with no TIME_WAIT: a RST ended it"), note);
    }

    @Test
    void orphanedFinWait2StillWaitingSaysWhatWillHappen() throws IOException {
        Connection client = connection(false, new Phase(TcpState.FIN_WAIT2, T0, null, true, TimerKind.TIME_WAIT,
                Duration.ofSeconds(60), 0, 0, Set.of(TimerKind.TIME_WAIT)));

        String note = only(Explanations.of(client, 0, Explanations.Kernel.UNKNOWN, T0.plusSeconds(5)));

        assertTrue(note.contains("if the peer's FIN never comes") && note.contains("60 s by default"), note);
    }

    @Test
    void resetIsToldOnlyWhereThePollsCouldNotHaveMissedAFastClose() throws IOException {
        Phase established = new Phase(TcpState.ESTABLISHED, T0, T0.plusMillis(20), true, TimerKind.OFF, Duration.ZERO, 0, 0,
                Set.of(TimerKind.OFF));
        Phase closeWait = new Phase(TcpState.CLOSE_WAIT, T0, T0.plusMillis(20), true, TimerKind.OFF, Duration.ZERO, 0, 0,
                Set.of(TimerKind.OFF));
        Explanations.Kernel traced = new Explanations.Kernel(Optional.empty(), true);

        assertTrue(only(Explanations.of(connection(true, established), 0, traced, T0)).startsWith("reset, not closed"));
        assertTrue(only(Explanations.of(connection(true, closeWait), 0, traced, T0)).startsWith("reset, not closed"),
                "the tracepoint would have seen LAST_ACK");
        assertTrue(only(Explanations.of(connection(true, established), 0, Explanations.Kernel.UNKNOWN, T0))
                .contains("--backend trace tells which"), "a poll cannot tell a RST from a close faster than it");
        assertEquals(List.of(), Explanations.of(connection(true, closeWait), 0, Explanations.Kernel.UNKNOWN, T0),
                "polled, CLOSE_WAIT then gone is a close whose LAST_ACK was shorter than a poll");
        assertEquals(List.of(), Explanations.of(connection(false, established), 0, traced, T0.plusSeconds(1)),
                "still open: nothing to explain");
    }

    @Test
    void closeWaitIsWorthANoteFromOneSecondAndNamesItsProgram() throws IOException {
        Phase brief = new Phase(TcpState.CLOSE_WAIT, T0, T0.plusMillis(999), true, TimerKind.OFF, Duration.ZERO, 0, 0,
                EnumSet.of(TimerKind.OFF));
        Phase longer = new Phase(TcpState.CLOSE_WAIT, T0, null, true, TimerKind.OFF, Duration.ZERO, 0, 0,
                EnumSet.of(TimerKind.OFF));
        Connection owned = new Connection(key(), List.of(longer), false, Optional.of(new Owner(4242, "echo-server", 5)));

        assertEquals(List.of(), Explanations.of(connection(false, brief), 0, Explanations.Kernel.UNKNOWN, T0.plusSeconds(5)));
        assertTrue(only(Explanations.of(owned, 0, Explanations.Kernel.UNKNOWN, T0.plusSeconds(1)))
                .contains("until its program (echo-server, pid 4242) calls close()"));
    }

    private static String only(List<String> notes) {
        assertEquals(1, notes.size(), notes.toString());
        return notes.get(0);
    }

    private static Connection connection(boolean gone, Phase phase) throws IOException {
        return new Connection(key(), List.of(phase), gone, Optional.empty());
    }

    private static ConnectionKey key() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        return new ConnectionKey("tcp", new InetSocketAddress(loopback, 58332), new InetSocketAddress(loopback, 11233));
    }
}
