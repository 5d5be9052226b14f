package io.echolab.it;

import static io.echolab.it.Expect.afterHandshake;
import static io.echolab.it.Expect.phase;
import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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
 * S13: the peer is gone before it ACKs our FIN. The server's segments to the client are dropped, then the
 * client closes: it sits in FIN_WAIT1 with the retransmit timer, sending its FIN again and again, and, being
 * orphaned (its program has closed it), the kernel gives up after tcp_orphan_retries (1 in this namespace)
 * and frees the socket. The program saw nothing of it: close() returned at once.
 */
@ExtendWith(DockerRequired.class)
class S13FinWait1RetransmitsIT {

    private static final int ORPHAN_RETRIES = 1;

    @Test
    void finWait1RetransmitsItsFinThenTheOrphanIsFreed() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S13", Map.of("net.ipv4.tcp_orphan_retries", String.valueOf(ORPHAN_RETRIES)))) {
            lab.connect(List.of("--clients", "1", "--close-delay", "60s"), List.of("--hold", "0"));
            lab.type("client", "aa\n");
            lab.awaitLine("client", "Message from server: aa", STARTUP);
            lab.iptables("-A INPUT -p tcp --sport " + lab.port() + " -j DROP"); // the server's segments never arrive
            lab.type("client", "q\n");
            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));

            Story story = lab.awaitStory("the client's socket freed", STARTUP, s -> s.clientSide().orElseThrow().gone());
            Connection client = story.clientSide().orElseThrow();
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT1), afterHandshake(client),
                    "FIN_WAIT1, never FIN_WAIT2: no ACK came", lab);
            Phase finWait1 = phase(client, TcpState.FIN_WAIT1);
            assertEquals(TimerKind.RETRANSMIT, finWait1.timerAtStart(), "the FIN waits under the retransmit timer");
            Expect.madeBeforeStamp(finWait1.start(), lab.stamp("client", "close socket and sleep"),
                    "FIN_WAIT1 begins with the client's close()", lab);

            // The RTO the FIN was sent with: at least the timer's time left when first seen, at most a watcher's delay more
            Duration seen = finWait1.timerRemainingAtStart();
            KernelTime.Orphan early = KernelTime.orphan(seen, ORPHAN_RETRIES);
            KernelTime.Orphan late = KernelTime.orphan(seen.plus(Expect.OBSERVED), ORPHAN_RETRIES);
            Expect.orphanRetransmitted(finWait1, early, late, lab);
            Expect.orphanGaveUp(finWait1, early, late, ORPHAN_RETRIES, lab);

            assertTrue(lab.out("client").endsWith("quit...\nclose socket and sleep 0 seconds now...\n"),
                    "close() returned at once, the FIN's fate is the kernel's: " + lab.out("client"));
            assertTrue(story.serverSide().orElseThrow().states().contains(TcpState.CLOSE_WAIT),
                    "the FIN itself did arrive: the server side is in CLOSE_WAIT\n" + lab.describe());
        }
    }
}
