package io.echolab.watcher;

import static io.echolab.watcher.ScriptedSource.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.echolab.watcher.ScriptedSource.ManualClock;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;

/** Phases built from a watcher's changes over scripted rows. */
class TimelineTest {

    private static final Instant T0 = Instant.parse("2022-07-10T09:03:54Z");

    private final ManualClock clock = new ManualClock(T0);
    private final Timeline timeline = new Timeline();

    private void play(ScriptedSource source, int polls, Duration step) throws IOException {
        Watcher watcher = new Watcher(Backend.polled("scripted", source), Duration.ofMillis(1), clock, List.of(timeline));
        for (int i = 0; i < polls; i++) {
            watcher.poll();
            clock.advance(step);
        }
    }

    @Test
    void phasesFollowTheStatesWithTheirTimes() throws IOException {
        play(new ScriptedSource()
                .then(row(58332, 11233, TcpState.ESTABLISHED))
                .then(row(58332, 11233, TcpState.FIN_WAIT2))
                .then(row(58332, 11233, TcpState.FIN_WAIT2))
                .then(row(58332, 11233, TcpState.TIME_WAIT))
                .then(), 5, Duration.ofSeconds(1));

        Connection client = timeline.connections().get(0);

        assertEquals(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT), client.states());
        Phase established = client.phases().get(0);
        assertFalse(established.startSeen(), "it was there at the first poll");
        assertEquals(Duration.ofSeconds(1), established.duration().orElseThrow());
        Phase finWait2 = client.phase(TcpState.FIN_WAIT2).orElseThrow();
        assertTrue(finWait2.startSeen());
        assertEquals(T0.plusSeconds(1), finWait2.start());
        assertEquals(Duration.ofSeconds(2), finWait2.duration().orElseThrow());
        assertTrue(client.gone(), "the last sample had no row");
        assertEquals(T0.plusSeconds(4), client.last().end(), "TIME_WAIT ended when the row vanished");
    }

    @Test
    void aPhaseInProgressHasNoEnd() throws IOException {
        play(new ScriptedSource().then(row(11233, 0, TcpState.LISTEN)), 3, Duration.ofSeconds(1));

        Phase listen = timeline.connection(key -> key.hasPort(11233)).orElseThrow().last();

        assertNull(listen.end());
        assertTrue(listen.duration().isEmpty());
    }

    @Test
    void aReusedAddressPairIsANewConnection() throws IOException {
        play(new ScriptedSource()
                .then(row(58332, 11233, TcpState.ESTABLISHED))
                .then()
                .then(row(58332, 11233, TcpState.SYN_SENT)), 3, Duration.ofSeconds(1));

        List<Connection> connections = timeline.connections(key -> key.local().getPort() == 58332);

        assertEquals(2, connections.size(), "gone, then back: two connections in first-seen order");
        assertTrue(connections.get(0).gone());
        assertFalse(connections.get(1).gone());
        assertEquals(TcpState.SYN_SENT, connections.get(1).last().state());
        assertTrue(connections.get(1).last().startSeen());
    }

    @Test
    void maxRetransmitsComesFromEverySampleOfThePhase() throws IOException {
        play(new ScriptedSource()
                .then(row(58332, 11233, TcpState.ESTABLISHED, 0))
                .then(row(58332, 11233, TcpState.FIN_WAIT1, 1))
                .then(row(58332, 11233, TcpState.FIN_WAIT1, 4))
                .then(row(58332, 11233, TcpState.FIN_WAIT1, 2)), 4, Duration.ofMillis(200));

        Phase finWait1 = timeline.connections().get(0).phase(TcpState.FIN_WAIT1).orElseThrow();

        assertEquals(4, finWait1.maxRetransmits());
        assertEquals(0, timeline.connections().get(0).phases().get(0).maxRetransmits());
    }

    @Test
    void connectionsAreCopies() throws IOException {
        play(new ScriptedSource().then(row(11233, 0, TcpState.LISTEN)), 1, Duration.ZERO);

        List<Connection> connections = timeline.connections();

        assertThrows(UnsupportedOperationException.class, () -> connections.get(0).phases().clear());
        assertThrows(UnsupportedOperationException.class, connections::clear);
    }
}
