package io.echolab.it;

import static io.echolab.it.Expect.phase;
import static io.echolab.it.Expect.pollable;
import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** S6: an orphaned FIN_WAIT2 lives for tcp_fin_timeout (5 s here), as a time-wait socket with timer 3. */
@ExtendWith(DockerRequired.class)
class S6FinTimeoutIT {

    private static final Duration FIN_TIMEOUT = Duration.ofSeconds(5);

    @Test
    void orphanedFinWait2EndsAfterTcpFinTimeout() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S6", Map.of("net.ipv4.tcp_fin_timeout", "5"))) {
            lab.connect(List.of("--clients", "1", "--no-close"), List.of("--hold", "0"));
            lab.echoAndQuit();

            Story story = lab.awaitStory("the client's FIN_WAIT2 to time out", STARTUP,
                    s -> s.clientSide().orElseThrow().gone());
            Connection client = story.clientSide().orElseThrow();
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2), pollable(client), "FIN_WAIT2, then gone", lab);
            Phase finWait2 = phase(client, TcpState.FIN_WAIT2);
            assertEquals(TimerKind.TIME_WAIT, finWait2.timerAtStart(), "st 05 with timer 3: a time-wait socket in FIN_WAIT2");
            assertTrue(finWait2.timerRemainingAtStart().compareTo(FIN_TIMEOUT.minusMillis(500)) > 0
                            && finWait2.timerRemainingAtStart().compareTo(FIN_TIMEOUT) <= 0,
                    "its timer starts at tcp_fin_timeout, 5 s: " + finWait2.timerRemainingAtStart());
            Expect.endedByTimer(finWait2, FIN_TIMEOUT, "FIN_WAIT2 lasts tcp_fin_timeout", lab);
            assertFalse(story.anyIn(TcpState.TIME_WAIT), "no FIN ever came, so no TIME_WAIT\n" + lab.describe());
        }
    }
}
