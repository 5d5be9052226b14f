package io.echolab.watcher.expect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The --expect grammar, and how a spec is matched against a connection's phases. The phases here are written
 * by hand: this is the matcher's logic; what the kernel does is asserted on real sockets in ExpectLiveTest.
 */
class ExpectationTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aSpecIsASideAndStepsInOrder() {
        Expectation e = Expectation.parse("client:ESTABLISHED,FIN_WAIT2,TIME_WAIT,CLOSED");

        assertEquals(Side.CLIENT, e.side());
        assertEquals(List.of(Optional.of(TcpState.ESTABLISHED), Optional.of(TcpState.FIN_WAIT2),
                Optional.of(TcpState.TIME_WAIT), Optional.<TcpState>empty()), e.steps().stream().map(Step::state).toList());
        assertTrue(e.steps().get(3).closed());
    }

    @Test
    void boundsSidesAndCaseAreRead() {
        Expectation e = Expectation.parse("Server: close_wait >= 2s , LAST_ACK,closed");

        assertEquals(Side.SERVER, e.side());
        assertEquals(new Step(Optional.of(TcpState.CLOSE_WAIT), Optional.of(new Step.Bound(true, Duration.ofSeconds(2)))),
                e.steps().get(0));
        assertEquals(new Step.Bound(false, Duration.ofMillis(500)), Expectation.parse("FIN_WAIT2<=500ms").steps().get(0)
                .bound().orElseThrow());
        assertEquals(Side.ANY, Expectation.parse("TIME_WAIT").side(), "no side: any");
        assertEquals(Side.LISTENER, Expectation.parse("listener:LISTEN,CLOSED").side());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "client:ESTABLISHED,FIN_WAIT_2 | 'FIN_WAIT_2' (at character 20) is not a state as netstat names it (did you mean FIN_WAIT2?)",
        "ESTAB                         | 'ESTAB' (at character 1) is not a state as netstat names it (did you mean ESTABLISHED?)",
        "TIME-WAIT                     | (did you mean TIME_WAIT?)",
        "CLOSE                         | (did you mean CLOSED, the socket gone?)",
        "peer:ESTABLISHED              | 'peer' (at character 1) is not a side: client, server, listener or any",
        "server:CLOSE_WAIT>2s          | 'CLOSE_WAIT>2s' (at character 8) has a bound that is neither >= nor <=",
        "CLOSE_WAIT>=2                 | '2' (at character 13) is not a duration",
        "CLOSE_WAIT>=                  | has no duration after >=",
        "CLOSED>=1s                    | 'CLOSED>=1s' (at character 1) bounds CLOSED",
        "CLOSED,TIME_WAIT              | 'TIME_WAIT' (at character 8) follows CLOSED",
        "ESTABLISHED,,CLOSED           | (at character 13) is an empty step",
        "ESTABLISHED,ESTABLISHED       | 'ESTABLISHED' (at character 13) repeats the state before it",
        "server:                       | 'server:' (at character 1) names no state",
        "NEW_SYN_RECV                  | is not a state as netstat names it"})
    void aBadSpecSaysWhereAndWhy(String spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Expectation.parse(spec));

        assertTrue(e.getMessage().startsWith("'" + spec + "': "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void sidesAreToldApartByTheWatchedPort() {
        ConnectionKey client = key(50214, 11233);
        ConnectionKey server = key(11233, 50214);
        ConnectionKey listener = key(11233, 0);
        Set<Integer> ports = Set.of(11233);

        assertTrue(Side.CLIENT.holds(client, ports) && !Side.CLIENT.holds(server, ports) && !Side.CLIENT.holds(listener, ports));
        assertTrue(Side.SERVER.holds(server, ports) && !Side.SERVER.holds(client, ports) && !Side.SERVER.holds(listener, ports));
        assertTrue(Side.LISTENER.holds(listener, ports) && !Side.LISTENER.holds(server, ports));
        assertTrue(Side.ANY.holds(client, ports) && Side.ANY.holds(server, ports) && Side.ANY.holds(listener, ports));
    }

    @Test
    void stepsAreMetByConsecutivePhasesWithBriefStatesBetween() {
        // As the tracepoint shows the article's client: every state, FIN_WAIT1 between ESTABLISHED and FIN_WAIT2
        Connection traced = connection(true, TcpState.SYN_SENT, TcpState.ESTABLISHED, TcpState.FIN_WAIT1,
                TcpState.FIN_WAIT2, TcpState.TIME_WAIT);
        Expectation article = Expectation.parse("client:ESTABLISHED,FIN_WAIT2,TIME_WAIT,CLOSED");

        assertEquals(4, article.stepsMet(traced, T0.plusSeconds(100), false));
        assertEquals(1, Expectation.parse("ESTABLISHED,TIME_WAIT").stepsMet(traced, T0, false),
                "FIN_WAIT2 is no brief state: ESTABLISHED,TIME_WAIT meets only its first step");
        assertEquals(1, Expectation.parse("FIN_WAIT2,CLOSED").stepsMet(traced, T0, false),
                "TIME_WAIT between them is no brief state either");
        assertEquals(2, Expectation.parse("TIME_WAIT,CLOSED").stepsMet(traced, T0, false));
    }

    @Test
    void aPollMayMissABriefStateTheSpecLists() {
        Connection polled = connection(true, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT);
        Expectation withFinWait1 = Expectation.parse("client:ESTABLISHED,FIN_WAIT1,FIN_WAIT2");

        assertTrue(withFinWait1.isMetBy(polled, T0, true), "polled: FIN_WAIT1 may have passed between two polls");
        assertEquals(1, withFinWait1.stepsMet(polled, T0, false), "traced: every transition is seen, so it did not happen");
        assertEquals(0, Expectation.parse("FIN_WAIT1>=1ms").stepsMet(polled, T0, true),
                "a bounded state must have been seen to have lasted");
    }

    @Test
    void boundsAreOnHowLongAPhaseLasted() {
        // ESTABLISHED 1 s, CLOSE_WAIT 2 s, LAST_ACK, gone
        Connection server = connection(true, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT, TcpState.LAST_ACK);
        Instant later = T0.plusSeconds(60);

        assertTrue(Expectation.parse("server:CLOSE_WAIT>=1s").isMetBy(server, later, true));
        assertEquals(0, Expectation.parse("server:CLOSE_WAIT>=1001ms").stepsMet(server, later, true));
        assertTrue(Expectation.parse("server:CLOSE_WAIT<=1s,CLOSED").isMetBy(server, later, true),
                "LAST_ACK is brief: CLOSE_WAIT, then gone");

        Connection leaking = connection(false, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT);
        assertEquals(0, Expectation.parse("CLOSE_WAIT>=5s").stepsMet(leaking, T0.plusSeconds(5), true),
                "CLOSE_WAIT began at 1 s: 4 s so far");
        assertTrue(Expectation.parse("CLOSE_WAIT>=5s").isMetBy(leaking, T0.plusSeconds(6), true), "5 s so far: met");
        assertEquals(0, Expectation.parse("CLOSE_WAIT<=100s").stepsMet(leaking, T0.plusSeconds(6), true),
                "an upper bound needs the state to have ended");
    }

    /** A connection through these states, one second each from T0; gone after the last when {@code gone}. */
    private static Connection connection(boolean gone, TcpState... states) {
        List<Phase> phases = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            boolean last = i == states.length - 1;
            Instant start = T0.plusSeconds(i);
            phases.add(new Phase(states[i], start, last && !gone ? null : start.plusSeconds(1), true, TimerKind.OFF,
                    Duration.ZERO, 0, 0, Set.of(TimerKind.OFF)));
        }
        return new Connection(key(50214, 11233), phases, gone, Optional.empty());
    }

    private static ConnectionKey key(int localPort, int remotePort) {
        return new ConnectionKey("tcp", new InetSocketAddress("127.0.0.1", localPort),
                new InetSocketAddress(remotePort == 0 ? "0.0.0.0" : "127.0.0.1", remotePort));
    }
}
