package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;

/**
 * S2: SO_LINGER {on, 0} on the client makes close() send RST: neither side passes through FIN_WAIT2,
 * CLOSE_WAIT or TIME_WAIT, and the server's read fails with "Connection reset by peer".
 */
class S2ClientLingerZeroTest {

    @Test
    void resetSkipsEveryClosingState() throws Exception {
        // A 2 s close delay: had a FIN arrived, the server would sit in CLOSE_WAIT for 2 s, which a 1 ms poll cannot miss
        try (Lab.Session session = Lab.session(List.of("--close-delay", "2s"), List.of("--linger", "0", "--hold", "0"))) {
            session.keyboard().type("aa\n");
            session.keyboard().type("q\n");
            assertEquals(ExitCode.OK, session.client().awaitExit(STARTUP), session.client().err());

            Connection clientSide = session.kernel().await("the client's socket gone", STARTUP, session.kernel()::clientSide, Connection::gone);
            Connection serverSide = session.kernel().await("the server's socket gone", STARTUP, session.kernel()::serverSide, Connection::gone);
            session.server().program.stdout.awaitLine("server close client socket", STARTUP);

            assertEquals(List.of(TcpState.ESTABLISHED), Lab.afterHandshake(clientSide), "RST: the client socket goes straight to CLOSED\n" + session.kernel().describe());
            assertEquals(List.of(TcpState.ESTABLISHED), Lab.afterHandshake(serverSide), "RST: no CLOSE_WAIT on the server\n" + session.kernel().describe());
            Duration apart = Duration.between(clientSide.last().end(), serverSide.last().end()).abs();
            assertTrue(apart.compareTo(Duration.ofMillis(50)) < 0,
                    "the RST ends both sides at once, not after the close delay: " + apart.toMillis() + " ms apart");
            assertFalse(Lab.anyIn(session.kernel().newConnections(), TcpState.TIME_WAIT), "no TIME_WAIT anywhere\n" + session.kernel().describe());

            String lines = session.server().program.out();
            assertTrue(lines.contains("read from client[0] error: [Connection reset by peer]\nserver close client socket\n"),
                    lines);
            assertFalse(lines.contains("server sleep"), "the server never saw an EOF, so it never sleeps: " + lines);
        }
    }
}
