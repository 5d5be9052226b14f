package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S18: listen(fd, 5) and a server that serves one client at a time. Seven clients connect: the server
 * serves client[0]; the kernel completes the other six handshakes and queues them, unaccepted but
 * ESTABLISHED on both ends. Linux queues backlog + 1 connections (sk_acceptq_is_full() tests
 * {@code >}, not {@code >=}), so six fit, not five. An eighth client finds the queue full: its SYN is
 * dropped and it sits in SYN_SENT, retransmitting.
 */
@ExtendWith(DockerRequired.class)
class S18BacklogIT {

    private static final int CLIENTS = 7;

    @Test
    void theAcceptQueueHoldsWhatTheServerHasNotAccepted() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S18", Map.of())) {
            lab.serve(); // the defaults: backlog 5, one client at a time
            for (int i = 0; i < CLIENTS; i++) {
                lab.start("client" + i, "echo-client", Lab.Input.KEYBOARD, List.of("127.0.0.1", String.valueOf(lab.port())));
            }
            Story story = lab.awaitStory("seven clients ESTABLISHED", Duration.ofSeconds(60),
                    s -> s.connections(c -> s.isClient(c) && c.states().contains(TcpState.ESTABLISHED)).size() == CLIENTS);

            assertEquals(CLIENTS, story.connections(c -> story.isServerSide(c) && c.states().contains(TcpState.ESTABLISHED))
                    .size(), "the kernel finished every handshake, accepted or not\n" + lab.describe());
            assertEquals(1, lab.out("server").lines().filter(l -> l.startsWith("Connected client[")).count(),
                    "the sequential server has accepted only client[0]: " + lab.out("server"));
            String listener = lab.sh("ss -Hltn 'sport = :" + lab.port() + "'").trim();
            assertTrue(listener.matches("LISTEN\\s+6\\s+5\\s+.*"), "six connections wait in the accept queue of backlog 5 "
                    + "(Recv-Q 6, Send-Q 5), kernel " + lab.kernel() + ": " + listener);

            lab.start("client7", "echo-client", Lab.Input.KEYBOARD, List.of("127.0.0.1", String.valueOf(lab.port())));
            // A busy machine's poll may catch one of the seven in its short SYN_SENT too: the eighth is the one still in it
            Story full = lab.awaitStory("the eighth client in SYN_SENT", STARTUP,
                    s -> s.connections(c -> s.isClient(c) && c.last().state() == TcpState.SYN_SENT).size() == 1);
            Connection eighth = full.first(c -> full.isClient(c) && c.last().state() == TcpState.SYN_SENT).orElseThrow();
            assertEquals(TimerKind.RETRANSMIT, eighth.phase(TcpState.SYN_SENT).orElseThrow().timerAtStart(),
                    "its SYN was dropped and will be sent again\n" + lab.describe());
            assertTrue(lab.out("client7").isEmpty(), "connect() has not returned: " + lab.out("client7"));
        }
    }
}
