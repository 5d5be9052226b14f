package io.echolab.it;

import static io.echolab.it.LabContainer.PORT;
import static io.echolab.it.Scenarios.STARTUP;
import static io.echolab.it.Scenarios.TOLERANCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S5: a server that never calls close() leaks CLOSE_WAIT for as long as its process lives, while the
 * client's orphaned FIN_WAIT2 is dropped after tcp_fin_timeout (3 s in this namespace, to keep it short).
 */
@ExtendWith(DockerRequired.class)
class S5CloseWaitLeakIT {

    @Test
    void closeWaitLastsAsLongAsTheProcess() throws Exception {
        try (LabContainer lab = LabContainer.start("S5", Map.of("net.ipv4.tcp_fin_timeout", "3"))) {
            Scenarios.connect(lab, List.of("--clients", "1", "--no-close"), List.of("--hold", "0"));
            Scenarios.echoAndQuit(lab);
            lab.awaitLine("server", "holding 1 unclosed client socket(s)", STARTUP);

            WatchLog log = lab.awaitWatch("the client's FIN_WAIT2 to time out", STARTUP,
                    l -> l.clientSide(PORT).orElseThrow().gone());
            WatchLog.Connection client = log.clientSide(PORT).orElseThrow();
            assertEquals(List.of("ESTABLISHED", "FIN_WAIT2", "CLOSED"), client.pollableStates(), log.describe());
            Scenarios.assertLasted(client, "FIN_WAIT2", Duration.ofSeconds(3), TOLERANCE,
                    "the orphaned FIN_WAIT2 is dropped after tcp_fin_timeout");
            assertFalse(log.serverSide(PORT).orElseThrow().gone(),
                    "the server side is still in CLOSE_WAIT after its peer is gone\n" + log.describe());

            Instant killed = Instant.now();
            lab.stop("server");
            log = lab.awaitWatch("the server's CLOSE_WAIT to end with its process", STARTUP,
                    l -> l.serverSide(PORT).orElseThrow().gone());
            WatchLog.Connection server = log.serverSide(PORT).orElseThrow();
            assertEquals("CLOSE_WAIT", server.events().get(server.events().size() - 2).state(), log.describe());
            Instant ended = server.events().get(server.events().size() - 1).time();
            assertTrue(!ended.isBefore(killed.minusMillis(50)),
                    "CLOSE_WAIT ended only when the process did (killed " + killed + ", ended " + ended + ")");
        }
    }
}
