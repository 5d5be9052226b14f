package io.echolab.it;

import static io.echolab.it.LabContainer.PORT;
import static io.echolab.it.Scenarios.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

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
        try (LabContainer lab = LabContainer.start("S18", Map.of())) {
            Scenarios.serve(lab); // the defaults: backlog 5, one client at a time
            for (int i = 0; i < CLIENTS; i++) {
                lab.runWithKeyboard("client" + i, "echo-client", "127.0.0.1", String.valueOf(PORT));
            }
            WatchLog log = lab.awaitWatch("seven clients ESTABLISHED", Duration.ofSeconds(60), l -> established(l) == CLIENTS);
            String kernel = lab.kernel();

            assertEquals(CLIENTS, log.connections(c -> c.events().get(0).localPort() == PORT
                    && c.events().get(0).remotePort() != 0 && c.states().contains("ESTABLISHED")).size(),
                    "the kernel finished every handshake, accepted or not\n" + log.describe());
            assertEquals(1, lab.out("server").lines().filter(l -> l.startsWith("Connected client[")).count(),
                    "the sequential server has accepted only client[0]: " + lab.out("server"));
            String listener = lab.sh("ss -Hltn 'sport = :" + PORT + "'").trim();
            assertTrue(listener.matches("LISTEN\\s+6\\s+5\\s+.*"),
                    "six connections wait in the accept queue of backlog 5 (Recv-Q 6, Send-Q 5), kernel " + kernel
                            + ": " + listener);

            lab.runWithKeyboard("client7", "echo-client", "127.0.0.1", String.valueOf(PORT));
            WatchLog full = lab.awaitWatch("the eighth client in SYN_SENT", STARTUP,
                    l -> l.connections(c -> c.events().get(0).remotePort() == PORT && c.states().contains("SYN_SENT")).size() == 1);
            WatchLog.Connection eighth = full.connections(c -> c.states().contains("SYN_SENT")).get(0);
            assertEquals("retransmit", eighth.entered("SYN_SENT").orElseThrow().timer(),
                    "its SYN was dropped and will be sent again\n" + full.describe());
            assertTrue(lab.out("client7").isEmpty(), "connect() has not returned: " + lab.out("client7"));
        }
    }

    private static int established(WatchLog log) {
        return log.connections(c -> c.events().get(0).remotePort() == PORT && c.states().contains("ESTABLISHED")).size();
    }
}
