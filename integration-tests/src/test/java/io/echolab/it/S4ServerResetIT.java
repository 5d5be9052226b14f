package io.echolab.it;

import static io.echolab.it.LabContainer.PORT;
import static io.echolab.it.Scenarios.STARTUP;
import static io.echolab.it.Scenarios.TOLERANCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** S4: the server resets with SO_LINGER(0), once after the client's close and once closing first. */
@ExtendWith(DockerRequired.class)
class S4ServerResetIT {

    @Test
    void resetAfterTheClientsCloseEndsItsFinWait2AtOnce() throws Exception {
        try (LabContainer lab = LabContainer.start("S4-after", Map.of())) {
            Scenarios.connect(lab, List.of("--clients", "1", "--linger", "0", "--close-delay", "2s"), List.of("--hold", "0"));
            Scenarios.echoAndQuit(lab);

            assertEquals(ExitCode.OK, lab.awaitExit("server", STARTUP), lab.err("server"));
            WatchLog log = Scenarios.awaitBothGone(lab);
            WatchLog.Connection client = log.clientSide(PORT).orElseThrow();
            WatchLog.Connection server = log.serverSide(PORT).orElseThrow();
            assertEquals(List.of("ESTABLISHED", "FIN_WAIT2", "CLOSED"), client.pollableStates(),
                    "the RST ends the client's orphaned FIN_WAIT2, with no TIME_WAIT\n" + log.describe());
            assertEquals(List.of("ESTABLISHED", "CLOSE_WAIT", "CLOSED"), server.pollableStates(), log.describe());
            Scenarios.assertLasted(client, "FIN_WAIT2", Duration.ofSeconds(2), TOLERANCE, "FIN_WAIT2 until the server's RST");
            Scenarios.assertLasted(server, "CLOSE_WAIT", Duration.ofSeconds(2), TOLERANCE, "CLOSE_WAIT for the close delay");
            Scenarios.assertEndedTogether(client, server);
            assertFalse(log.anyIn("TIME_WAIT"), "no TIME_WAIT anywhere\n" + log.describe());
        }
    }

    @Test
    void resetClosingFirstFailsTheClientsNextWrite() throws Exception {
        try (LabContainer lab = LabContainer.start("S4-first", Map.of())) {
            Scenarios.connect(lab, List.of("--clients", "1", "--linger", "0", "--close-after", "1"), List.of("--hold", "0"));
            lab.type("client", "aa\n");
            Scenarios.assertResetEndedBoth(lab); // the server's RST: neither side lingers
            lab.awaitLine("client", "Message from server: aa", STARTUP);
            lab.type("client", "bb\n");

            // echo_client2.c meets the reset on its next write(): "write message error, quit..."
            assertEquals(ExitCode.IO, lab.awaitExit("client", STARTUP), lab.out("client"));
            assertTrue(lab.out("client").contains("Input(Q to quit): write message error, quit...\n"), lab.out("client"));
            assertEquals("write to server failed: Connection reset by peer\n", lab.err("client"));
            assertFalse(lab.watch().anyIn("TIME_WAIT"), "still no TIME_WAIT after the client's failed write\n"
                    + lab.watch().describe());
        }
    }
}
