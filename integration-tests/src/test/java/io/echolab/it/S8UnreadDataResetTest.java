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
 * S8: close() discards queued data, and with unread bytes in the receive queue the kernel sends RST, not
 * FIN. The server reads at most 1024 bytes (echo_server2.c's BUF_SIZE) of a 4000-byte line, echoes them and
 * closes first: the rest is unread, so the client sees "Connection reset by peer" and no side lingers.
 */
class S8UnreadDataResetTest {

    @Test
    void closingWithUnreadDataResets() throws Exception {
        try (Lab.Session session = Lab.session(List.of("--close-after", "1"), List.of("--hold", "0"))) {
            session.keyboard().type("x".repeat(4000) + "\n");
            assertEquals(ExitCode.IO, session.client().awaitExit(STARTUP), session.client().out());
            assertEquals("read from server failed: Connection reset by peer\n", session.client().err());

            Connection clientSide = session.kernel().await("the client's socket gone", STARTUP, session.kernel()::clientSide, Connection::gone);
            Connection serverSide = session.kernel().await("the server's socket gone", STARTUP, session.kernel()::serverSide, Connection::gone);
            for (Connection side : List.of(clientSide, serverSide)) {
                for (TcpState closing : List.of(TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT, TcpState.TIME_WAIT)) {
                    assertFalse(side.states().contains(closing), "RST, not FIN: no " + closing + "\n" + session.kernel().describe());
                }
            }
            Duration apart = Duration.between(clientSide.last().end(), serverSide.last().end()).abs();
            assertTrue(apart.compareTo(Duration.ofMillis(50)) < 0, "both sides end together: " + apart.toMillis() + " ms");
        }
    }
}
