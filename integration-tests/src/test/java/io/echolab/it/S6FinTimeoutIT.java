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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** S6: an orphaned FIN_WAIT2 lives for tcp_fin_timeout (5 s here), as a time-wait socket with timer 3. */
@ExtendWith(DockerRequired.class)
class S6FinTimeoutIT {

    @Test
    void orphanedFinWait2EndsAfterTcpFinTimeout() throws Exception {
        try (LabContainer lab = LabContainer.start("S6", Map.of("net.ipv4.tcp_fin_timeout", "5"))) {
            Scenarios.connect(lab, List.of("--clients", "1", "--no-close"), List.of("--hold", "0"));
            Scenarios.echoAndQuit(lab);

            WatchLog log = lab.awaitWatch("the client's FIN_WAIT2 to time out", STARTUP,
                    l -> l.clientSide(PORT).orElseThrow().gone());
            WatchLog.Connection client = log.clientSide(PORT).orElseThrow();
            assertEquals(List.of("ESTABLISHED", "FIN_WAIT2", "CLOSED"), client.pollableStates(), log.describe());
            WatchLog.Event finWait2 = client.entered("FIN_WAIT2").orElseThrow();
            assertEquals("timewait", finWait2.timer(), "st 05 with timer 3: a time-wait socket in FIN_WAIT2");
            assertTrue(finWait2.timerMs() > 4_500 && finWait2.timerMs() <= 5_000,
                    "its timer starts at tcp_fin_timeout, 5 s: " + finWait2.timerMs() + " ms");
            Scenarios.assertLasted(client, "FIN_WAIT2", Duration.ofSeconds(5), TOLERANCE, "FIN_WAIT2 lasts tcp_fin_timeout");
            assertFalse(log.anyIn("TIME_WAIT"), "no FIN ever came, so no TIME_WAIT\n" + log.describe());
        }
    }
}
