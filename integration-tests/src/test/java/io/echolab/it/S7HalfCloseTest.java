package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static io.echolab.it.Lab.lasted;
import static io.echolab.it.Lab.near;
import static io.echolab.it.Lab.phase;
import static io.echolab.it.Lab.pollableStates;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;

/**
 * S7: shutdown(SHUT_WR) is not close(). The client's FIN_WAIT2 is not orphaned (no timer), it still reads
 * the server's farewell while the server sits in CLOSE_WAIT, and it goes to TIME_WAIT when the server closes.
 */
class S7HalfCloseTest {

    private static final Duration CLOSE_DELAY = Duration.ofSeconds(1);

    @Test
    void halfClosedClientStillReadsThenTimeWait() throws Exception {
        try (Lab.Session session = Lab.session(List.of("--farewell", "bye", "--close-delay", "1s"), List.of("--half-close", "--hold", "0"))) {
            session.keyboard().type("aa\n");
            session.keyboard().type("q\n");
            assertEquals(ExitCode.OK, session.client().awaitExit(STARTUP), session.client().err());

            Connection clientSide = session.kernel().await("the client's TIME_WAIT", STARTUP, session.kernel()::clientSide,
                    c -> c.states().contains(TcpState.TIME_WAIT));
            Connection serverSide = session.kernel().await("the server's socket gone", STARTUP, session.kernel()::serverSide, Connection::gone);

            assertEquals(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT), pollableStates(clientSide),
                    session.kernel().describe());
            assertEquals(List.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT), pollableStates(serverSide), session.kernel().describe());
            Phase finWait2 = phase(clientSide, TcpState.FIN_WAIT2);
            assertEquals(TimerKind.OFF, finWait2.timerAtStart(),
                    "after shutdown() the socket still has its owner: a plain FIN_WAIT2, no tcp_fin_timeout timer");
            assertTrue(near(lasted(finWait2), CLOSE_DELAY), "FIN_WAIT2 lasts until the server's close: " + finWait2);
            assertTrue(near(lasted(phase(serverSide, TcpState.CLOSE_WAIT)), CLOSE_DELAY), session.kernel().describe());

            assertTrue(session.client().out().endsWith("Input(Q to quit): quit...\n"
                    + "shutdown write side, reading until the server closes...\n"
                    + "Message from server: bye\n"
                    + "server closed\n"
                    + "close socket and sleep 0 seconds now...\n"), session.client().out());
            assertTrue(session.server().program.out().contains("client[0] closed\nserver send farewell: bye\nserver sleep 1 seconds\n"),
                    session.server().program.out());
        }
    }
}
