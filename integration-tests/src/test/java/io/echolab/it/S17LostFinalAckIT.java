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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S17: TIME_WAIT re-ACKs a lost last ACK. The client closes first; then the first ACK it sends of the server's
 * FIN is dropped (that one segment). The server, in LAST_ACK, sends its FIN again when its timer fires; the client, in
 * TIME_WAIT, ACKs it again; the server's socket is freed, and no RST was ever sent: that is what TIME_WAIT is for.
 */
@ExtendWith(DockerRequired.class)
class S17LostFinalAckIT {

    @Test
    void timeWaitAcksTheRetransmittedFin() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S17", Map.of())) {
            lab.connect(List.of("--clients", "1", "--close-delay", "60s"), List.of("--hold", "0"));
            lab.echoAndQuit();
            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));
            Story closed = lab.awaitStory("the client in FIN_WAIT2, the server side in CLOSE_WAIT", STARTUP,
                    s -> s.clientSide().orElseThrow().last().state() == TcpState.FIN_WAIT2
                            && s.serverSide().orElseThrow().last().state() == TcpState.CLOSE_WAIT);
            int clientPort = closed.clientSide().orElseThrow().key().local().getPort();
            // The client sends nothing more until the server's FIN: its next pure ACK is the final one. Drop that one.
            lab.iptables("-A INPUT -p tcp --sport " + clientPort + " --dport " + lab.port()
                    + " --tcp-flags ALL ACK -m statistic --mode nth --every 1000000 --packet 0 -j DROP");
            long resets = lab.counter("TcpOutRsts");
            long retransmitted = lab.counter("TcpRetransSegs");

            lab.stop("server"); // the server closes now: its process ends and the kernel closes its socket
            Story story = lab.awaitStory("the server's socket freed", STARTUP, s -> s.serverSide().orElseThrow().gone());
            Connection server = story.serverSide().orElseThrow();
            Connection client = story.clientSide().orElseThrow();

            assertEquals(List.of(1L), lab.matched("INPUT"), "exactly one final ACK was dropped");
            assertEquals(retransmitted + 1, lab.counter("TcpRetransSegs"), "the server sent its FIN once more");
            assertEquals(resets, lab.counter("TcpOutRsts"), "and no RST went out, from either side");
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT, TcpState.LAST_ACK), afterHandshake(server),
                    "the server waited in LAST_ACK for the ACK that was lost, then was freed", lab);
            // LAST_ACK lasts as long as the timer armed when the FIN went out: the FIN is sent again when it fires
            // (a tail loss probe's timeout on this kernel, the RTO on others; /proc and sock_diag show both as the
            // retransmit timer), and ACKed at once from TIME_WAIT
            Phase lastAck = phase(server, TcpState.LAST_ACK);
            Duration rto = lastAck.timerRemainingAtStart();
            Duration lasted = Expect.lasted(lastAck);
            assertTrue(lasted.compareTo(rto.minus(Expect.OBSERVED)) >= 0
                            && lasted.compareTo(rto.plus(Expect.OBSERVED).plus(KernelTime.wheelSlack(rto)).plus(Expect.OBSERVED)) <= 0,
                    "LAST_ACK lasts until its timer fires (" + rto.toMillis() + " ms left when seen), lasted " + lasted.toMillis() + " ms\n"
                            + lab.describe());
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT), Expect.pollable(client),
                    "the client stays in TIME_WAIT, not reset", lab);
        }
    }
}
