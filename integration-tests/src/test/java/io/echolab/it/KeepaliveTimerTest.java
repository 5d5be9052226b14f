package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.echolab.watcher.model.Connection;
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
        try (LocalLab lab = LocalLab.start()) {
            lab.connect(List.of("--keepalive", "3s/1s/2", "--close-delay", "0"), List.of("--hold", "0"));
            KernelWatch kernel = lab.kernelWatch();
            Connection server = lab.story().serverSide().orElseThrow();
            // The kernel lists the accepted socket before accept() returns and the server sets keepalive on it,
            // so the timer is read from the rows as they are now, not from when the row first appeared.
            lab.await("the keepalive timer on the server's socket", STARTUP, () -> kernel.latestRow(server.key())
                    .map(row -> row.timer() == TimerKind.KEEPALIVE).orElse(false));
            TcpSocket row = kernel.latestRow(server.key()).orElseThrow();
            assertEquals(TcpState.ESTABLISHED, row.state());
            Duration left = row.timerRemaining();
            assertTrue(left.compareTo(Duration.ZERO) > 0 && left.compareTo(Duration.ofSeconds(3)) <= 0,
                    "the first probe is due within the 3 s idle time, not tcp_keepalive_time's 2 hours: " + left);
            Optional<TcpSocket> client = kernel.latestRow(lab.story().clientSide().orElseThrow().key());
            assertEquals(TimerKind.OFF, client.orElseThrow().timer(), "the client did not ask for keepalive: " + client);

            lab.endInput("client");
            lab.awaitExit("client", STARTUP);
        }
    }
}
