package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;

/**
 * {@code --keepalive IDLE/INTERVAL/COUNT} reaches the kernel: the server's accepted socket carries the
 * keepalive timer (timer 2 in /proc/net/tcp) set to the idle time, the client's socket, without it, none.
 */
class KeepaliveTimerTest {

    @Test
    void theAcceptedSocketCarriesTheKeepaliveTimer() throws Exception {
        try (Lab.Session session = Lab.session(List.of("--keepalive", "3s/1s/2", "--close-delay", "0"), List.of("--hold", "0"))) {
            KernelWatch kernel = session.kernel();
            // The kernel lists the accepted socket before accept() returns and the server sets keepalive on it,
            // so the timer is read from the rows as they are now, not from when the row first appeared.
            TcpSocket server = kernel.awaitRow("the keepalive timer on the server's socket", STARTUP,
                    kernel.serverSide().orElseThrow(), row -> row.timer() == TimerKind.KEEPALIVE);
            assertEquals(TcpState.ESTABLISHED, server.state());
            Duration left = server.timerRemaining();
            assertTrue(left.compareTo(Duration.ZERO) > 0 && left.compareTo(Duration.ofSeconds(3)) <= 0,
                    "the first probe is due within the 3 s idle time, not tcp_keepalive_time's 2 hours: " + left);
            TcpSocket client = kernel.row(kernel.clientSide().orElseThrow()).orElseThrow();
            assertEquals(TimerKind.OFF, client.timer(), "the client did not ask for keepalive: " + client);

            session.keyboard().close();
            session.client().awaitExit(STARTUP);
        }
    }
}
