package io.echolab.it;

import static io.echolab.it.LabContainer.PORT;
import static io.echolab.it.Scenarios.STARTUP;
import static io.echolab.it.Scenarios.TOLERANCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.echolab.common.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S7: shutdown(SHUT_WR) is not close(): the client's FIN_WAIT2 keeps its owner (no timer), it still reads
 * the server's farewell while the server is in CLOSE_WAIT, and goes to TIME_WAIT when the server closes.
 */
@ExtendWith(DockerRequired.class)
class S7HalfCloseIT {

    @Test
    void halfClosedClientStillReadsThenTimeWait() throws Exception {
        try (LabContainer lab = LabContainer.start("S7", Map.of())) {
            Scenarios.connect(lab, List.of("--clients", "1", "--farewell", "bye", "--close-delay", "2s"),
                    List.of("--half-close", "--hold", "0"));
            Scenarios.echoAndQuit(lab);

            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));
            WatchLog log = lab.awaitWatch("the client's TIME_WAIT", STARTUP,
                    l -> l.clientSide(PORT).orElseThrow().states().contains("TIME_WAIT"));
            WatchLog.Connection client = log.clientSide(PORT).orElseThrow();
            WatchLog.Connection server = log.serverSide(PORT).orElseThrow();
            assertEquals(List.of("ESTABLISHED", "FIN_WAIT2", "TIME_WAIT"), client.pollableStates(), log.describe());
            assertEquals(List.of("ESTABLISHED", "CLOSE_WAIT", "CLOSED"), server.pollableStates(), log.describe());
            assertEquals("off", client.entered("FIN_WAIT2").orElseThrow().timer(),
                    "not orphaned: a plain FIN_WAIT2 without tcp_fin_timeout's timer");
            Scenarios.assertLasted(client, "FIN_WAIT2", Duration.ofSeconds(2), TOLERANCE, "FIN_WAIT2 until the server closes");
            Scenarios.assertLasted(server, "CLOSE_WAIT", Duration.ofSeconds(2), TOLERANCE, "CLOSE_WAIT for the close delay");
            assertTrue(lab.out("client").endsWith("shutdown write side, reading until the server closes...\n"
                    + "Message from server: bye\nserver closed\nclose socket and sleep 0 seconds now...\n"), lab.out("client"));
        }
    }
}
