package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import io.echolab.watcher.Timeline.Connection;
import io.echolab.watcher.Timeline.Phase;
import io.echolab.watcher.proc.TcpState;
import io.echolab.watcher.proc.TimerKind;
import org.junit.jupiter.api.Test;

/**
 * {@code --keepalive IDLE/INTERVAL/COUNT} reaches the kernel: the server's accepted socket carries the
 * keepalive timer (timer 2 in /proc/net/tcp) set to the idle time, the client's socket, without it, none.
 */
class KeepaliveTimerTest {

    @Test
    void theAcceptedSocketCarriesTheKeepaliveTimer() throws Exception {
        try (Lab.Session session = Lab.session(List.of("--keepalive", "3s/1s/2", "--close-delay", "0"), List.of("--hold", "0"))) {

            Connection serverSide = session.kernel().await("the keepalive timer on the server's socket", STARTUP,
                    session.kernel()::serverSide, c -> c.last().timerAtStart() == TimerKind.KEEPALIVE);
            Phase established = serverSide.last();
            assertEquals(TcpState.ESTABLISHED, established.state());
            Duration left = established.timerRemainingAtStart();
            assertTrue(left.compareTo(Duration.ZERO) > 0 && left.compareTo(Duration.ofSeconds(3)) <= 0,
                    "the first probe is due within the 3 s idle time, not tcp_keepalive_time's 2 hours: " + left);
            assertEquals(TimerKind.OFF, session.kernel().clientSide().orElseThrow().last().timerAtStart(),
                    "the client did not ask for keepalive\n" + session.kernel().describe());

            session.keyboard().close();
            session.client().awaitExit(STARTUP);
        }
    }
}
