package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static io.echolab.it.Lab.lasted;
import static io.echolab.it.Lab.near;
import static io.echolab.it.Lab.phase;
import static io.echolab.it.Lab.pollableStates;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;

/** S4: the server resets with {@code --linger 0}: after the client's close, and closing first. */
class S4ServerResetTest {

    private static final Duration CLOSE_DELAY = Duration.ofSeconds(1);

    @Test
    void resetAfterTheClientsCloseEndsItsFinWait2AtOnce() throws Exception {
        try (Lab.Session session = Lab.session(List.of("--linger", "0", "--close-delay", "1s"), List.of("--hold", "0"))) {
            session.keyboard().type("aa\n");
            session.keyboard().type("q\n");
            assertEquals(ExitCode.OK, session.client().awaitExit(STARTUP), session.client().err());

            Connection clientSide = session.kernel().await("the client's socket gone", STARTUP, session.kernel()::clientSide, Connection::gone);
            Connection serverSide = session.kernel().await("the server's socket gone", STARTUP, session.kernel()::serverSide, Connection::gone);

            assertEquals(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2), pollableStates(clientSide),
                    "the client's orphaned FIN_WAIT2 ends with the RST, not in TIME_WAIT\n" + session.kernel().describe());
            assertEquals(List.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT), pollableStates(serverSide), session.kernel().describe());
            assertTrue(near(lasted(phase(clientSide, TcpState.FIN_WAIT2)), CLOSE_DELAY), session.kernel().describe());
            assertTrue(near(lasted(phase(serverSide, TcpState.CLOSE_WAIT)), CLOSE_DELAY), session.kernel().describe());
            Duration apart = Duration.between(clientSide.last().end(), serverSide.last().end()).abs();
            assertTrue(apart.compareTo(Duration.ofMillis(50)) < 0,
                    "the RST ends the client's FIN_WAIT2 at once: " + apart.toMillis() + " ms after the server's close");
            assertFalse(Lab.anyIn(session.kernel().newConnections(), TcpState.TIME_WAIT), "no TIME_WAIT anywhere\n" + session.kernel().describe());
        }
    }

    @Test
    void resetClosingFirstFailsTheClientsNextWrite() throws Exception {
        try (Lab.Session session = Lab.session(List.of("--linger", "0", "--close-after", "1"), List.of("--hold", "0"))) {
            session.keyboard().type("aa\n");
            Connection clientSide = session.kernel().await("the client's socket reset", STARTUP, session.kernel()::clientSide, Connection::gone);
            Connection serverSide = session.kernel().await("the server's socket gone", STARTUP, session.kernel()::serverSide, Connection::gone);
            session.client().stdout.awaitLine("Message from server: aa", STARTUP);
            session.keyboard().type("bb\n");

            // echo_client2.c reports the reset where it first meets it, on its next write()
            assertEquals(ExitCode.IO, session.client().awaitExit(STARTUP), session.client().out());
            assertTrue(session.client().out().contains("Input(Q to quit): write message error, quit...\n"), session.client().out());
            assertEquals("write to server failed: Connection reset by peer\n", session.client().err());

            assertEquals(List.of(TcpState.ESTABLISHED), Lab.afterHandshake(clientSide), "RST: no CLOSE_WAIT on the client\n" + session.kernel().describe());
            assertEquals(List.of(TcpState.ESTABLISHED), Lab.afterHandshake(serverSide), "RST: no FIN_WAIT on the server\n" + session.kernel().describe());
            assertFalse(Lab.anyIn(session.kernel().newConnections(), TcpState.TIME_WAIT), "no TIME_WAIT anywhere\n" + session.kernel().describe());
        }
    }
}
