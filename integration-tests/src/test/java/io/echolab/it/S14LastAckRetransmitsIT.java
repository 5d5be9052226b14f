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
 * S14: the active closer is gone after its FIN: the client closes (the server side goes to CLOSE_WAIT, the
 * client to FIN_WAIT2), then its segments to the server are dropped, then the server closes (its process ends):
 * LAST_ACK under the retransmit timer, the FIN sent again and again, until the kernel gives the orphan up
 * after tcp_orphan_retries (1 here) and frees it. The client did get the FIN: it sits in TIME_WAIT.
 */
@ExtendWith(DockerRequired.class)
class S14LastAckRetransmitsIT {

    private static final int ORPHAN_RETRIES = 1;

    @Test
    void lastAckRetransmitsItsFinThenTheOrphanIsFreed() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S14", Map.of("net.ipv4.tcp_orphan_retries", String.valueOf(ORPHAN_RETRIES)))) {
            lab.connect(List.of("--clients", "1", "--close-delay", "60s"), List.of("--hold", "0"));
            lab.echoAndQuit();
            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));
            lab.awaitStory("the client in FIN_WAIT2, the server side in CLOSE_WAIT", STARTUP,
                    s -> s.clientSide().orElseThrow().last().state() == TcpState.FIN_WAIT2
                            && s.serverSide().orElseThrow().last().state() == TcpState.CLOSE_WAIT);
            lab.iptables("-A INPUT -p tcp --dport " + lab.port() + " -j DROP"); // the client's segments never arrive

            // The server closes now, not after its 60 s: its process ends, and the kernel closes its socket
            Instant beforeClose = Instant.now();
            lab.stop("server");
            Story story = lab.awaitStory("the server's socket freed", STARTUP, s -> s.serverSide().orElseThrow().gone());
            Connection server = story.serverSide().orElseThrow();
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT, TcpState.LAST_ACK), afterHandshake(server),
                    "LAST_ACK, then freed", lab);
            Phase lastAck = phase(server, TcpState.LAST_ACK);
            assertTrue(!lastAck.start().isBefore(beforeClose), "LAST_ACK began with the server's end");
            assertEquals(TimerKind.RETRANSMIT, lastAck.timerAtStart(), "its FIN waits under the retransmit timer");

            // The RTO the FIN was sent with: at least the timer's time left when first seen, at most a watcher's delay more
            Duration seen = lastAck.timerRemainingAtStart();
            KernelTime.Orphan early = KernelTime.orphan(seen, ORPHAN_RETRIES);
            KernelTime.Orphan late = KernelTime.orphan(seen.plus(Expect.OBSERVED), ORPHAN_RETRIES);
            Expect.orphanRetransmitted(lastAck, early, late, lab);
            Expect.orphanGaveUp(lastAck, early, late, ORPHAN_RETRIES, lab);

            Connection client = story.clientSide().orElseThrow();
            assertEquals(TcpState.TIME_WAIT, client.last().state(), "the client got the FIN; its ACKs were lost\n"
                    + lab.describe());
        }
    }
}
