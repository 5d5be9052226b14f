package io.echolab.it;

import static io.echolab.it.Expect.afterHandshake;
import static io.echolab.it.Expect.phase;
import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S15: keepalive finds a dead peer. The server asks for keepalive (idle 2 s, a probe every 1 s, 3 probes);
 * right after the echo, the client's segments stop arriving. The server's socket carries the keepalive timer,
 * sends its probes unanswered, and after idle + 3 x interval = 5 s its read() fails with "Connection timed
 * out", as the program prints; the socket is gone.
 */
@ExtendWith(DockerRequired.class)
class S15KeepaliveDeadPeerIT {

    private static final Duration IDLE = Duration.ofSeconds(2);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final int PROBES = 3;

    @Test
    void keepaliveGivesUpOnASilentPeer() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S15", Map.of())) {
            lab.connect(List.of("--clients", "1", "--keepalive", "2s/1s/3"), List.of("--hold", "0"));
            // The last segment the server gets from the client is the echo's ACK, sent as the echo arrives
            lab.typeThen("client", "aa\n", "Message from server: aa",
                    "iptables -A INPUT -p tcp --dport " + lab.port() + " -j DROP");
            Instant echoed = lab.stamp("client", "Message from server: aa");

            lab.awaitLine("server", "read from client[0] error: [Connection timed out]", Duration.ofSeconds(30));
            Instant failed = lab.stamp("server", "read from client[0] error: [Connection timed out]");
            Duration waited = Duration.between(echoed, failed);
            Duration least = KernelTime.keepaliveGivesUp(IDLE, INTERVAL, PROBES).minus(KernelTime.SCHEDULING);
            // The ACK may wait for the delayed-ACK timer (TCP_DELACK_MAX, 200 ms); each keepalive firing may be a
            // wheel slack late; the server prints a scheduling delay after read() returned
            Duration most = KernelTime.keepaliveGivesUp(IDLE, INTERVAL, PROBES).plus(Duration.ofMillis(200))
                    .plus(KernelTime.keepaliveSlack(IDLE, INTERVAL, PROBES)).plus(KernelTime.SCHEDULING.multipliedBy(2));
            assertTrue(waited.compareTo(least) >= 0 && waited.compareTo(most) <= 0, "keepalive gives up idle + "
                    + PROBES + " x interval after the last segment: " + least.toMillis() + " to " + most.toMillis()
                    + " ms after the echo; read() failed after " + waited.toMillis() + " ms\n" + lab.describe());

            Story story = lab.awaitStory("the server's socket gone", STARTUP, s -> s.serverSide().orElseThrow().gone());
            Connection server = story.serverSide().orElseThrow();
            Expect.states(List.of(TcpState.ESTABLISHED), afterHandshake(server), "no FIN, no RST: the kernel gave up", lab);
            Phase established = phase(server, TcpState.ESTABLISHED);
            assertTrue(established.timersSeen().contains(TimerKind.KEEPALIVE), "the keepalive timer (timer 2) ran on the "
                    + "server's socket: " + established.timersSeen() + "\n" + lab.describe());
            assertEquals(PROBES, established.maxProbes(), "three probes went unanswered\n" + lab.describe());
            Expect.madeBeforeStamp(established.end(), failed, "the socket is gone when read() fails", lab);
            assertEquals(ExitCode.OK, lab.awaitExit("server", STARTUP), lab.err("server"));
        }
    }
}
