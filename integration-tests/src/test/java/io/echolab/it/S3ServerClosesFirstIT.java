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
 * S3: the server closes first ({@code --close-after 1}), so TIME_WAIT lands on its accepted socket (local
 * port = the server's) while the client, closed on, sits in CLOSE_WAIT until it quits, then is gone.
 */
@ExtendWith(DockerRequired.class)
class S3ServerClosesFirstIT {

    /** How long the user sits at the prompt after the server closed: the scenario's own pause. */
    private static final Duration IDLE = Duration.ofSeconds(2);

    @Test
    void timeWaitMovesToTheServerSide() throws Exception {
        try (LabContainer lab = LabContainer.start("S3", Map.of())) {
            Scenarios.connect(lab, List.of("--clients", "1", "--close-after", "1"), List.of("--hold", "0"));
            lab.type("client", "aa\n");
            lab.awaitWatch("the client in CLOSE_WAIT", STARTUP,
                    l -> l.clientSide(PORT).orElseThrow().states().contains("CLOSE_WAIT"));
            Thread.sleep(IDLE.toMillis()); // the user idles at the prompt: part of the scenario, not a wait for a condition
            lab.type("client", "q\n");

            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));
            WatchLog log = lab.awaitWatch("the server side's TIME_WAIT", STARTUP,
                    l -> l.serverSide(PORT).orElseThrow().states().contains("TIME_WAIT"));
            WatchLog.Connection server = log.serverSide(PORT).orElseThrow();
            WatchLog.Connection client = log.clientSide(PORT).orElseThrow();
            assertEquals(List.of("ESTABLISHED", "FIN_WAIT2", "TIME_WAIT"), server.pollableStates(), log.describe());
            assertEquals(List.of("ESTABLISHED", "CLOSE_WAIT", "CLOSED"), client.pollableStates(), log.describe());
            Scenarios.assertLasted(client, "CLOSE_WAIT", IDLE, TOLERANCE, "the client sits in CLOSE_WAIT until it quits");
            Scenarios.assertLasted(server, "FIN_WAIT2", IDLE, TOLERANCE, "the server waits in FIN_WAIT2 as long");
            assertEquals(PORT, server.events().get(0).localPort(), "TIME_WAIT is on the server's own port");
            WatchLog.Event timeWait = server.entered("TIME_WAIT").orElseThrow();
            assertEquals("timewait", timeWait.timer());
            assertTrue(timeWait.timerMs() > 59_000 && timeWait.timerMs() <= 60_000,
                    "TIME_WAIT starts at 60 s: " + timeWait.timerMs() + " ms\n" + log.describe());
            assertEquals(ExitCode.OK, lab.awaitExit("server", STARTUP), lab.err("server"));
            assertTrue(lab.out("server").contains("server closes first after 1 message(s)\nserver close client socket\n"),
                    lab.out("server"));
        }
    }
}
