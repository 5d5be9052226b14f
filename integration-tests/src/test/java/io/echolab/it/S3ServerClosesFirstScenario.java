package io.echolab.it;

import static io.echolab.it.Expect.phase;
import static io.echolab.it.Expect.pollable;
import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;

/**
 * S3: the side that closes first gets TIME_WAIT. With {@code --close-after 1} the server closes right after
 * the first echo: its accepted socket waits in FIN_WAIT2 while the client idles in CLOSE_WAIT; when the
 * client quits, the server side holds TIME_WAIT (local port = the server's) and the client's socket is gone.
 */
abstract class S3ServerClosesFirstScenario {

    /** How long the user sits at the prompt after the server has closed: part of the scenario, not a measure. */
    private static final Duration IDLE = Duration.ofSeconds(1);

    abstract Lab lab();

    @Test
    void timeWaitMovesToTheServerSide() throws Exception {
        try (Lab lab = lab()) {
            lab.connect(List.of("--clients", "1", "--close-after", "1"), List.of("--hold", "0"));
            lab.type("client", "aa\n");
            lab.awaitStory("the client in CLOSE_WAIT", STARTUP,
                    s -> s.clientSide().orElseThrow().states().contains(TcpState.CLOSE_WAIT));
            Thread.sleep(IDLE.toMillis()); // the user idles at the prompt: the scenario's own step, not a wait for a condition
            lab.type("client", "q\n");
            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));

            Story story = lab.awaitStory("the server side's TIME_WAIT and the client's socket gone", STARTUP,
                    s -> s.serverSide().orElseThrow().states().contains(TcpState.TIME_WAIT)
                            && s.clientSide().orElseThrow().gone());
            Connection server = story.serverSide().orElseThrow();
            Connection client = story.clientSide().orElseThrow();
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT), pollable(server),
                    "the server closed first", lab);
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT), pollable(client),
                    "the client was closed on, then closed and is gone", lab);

            // The client's CLOSE_WAIT: from the server's close() to its own, each stamped by its program
            Phase closeWait = phase(client, TcpState.CLOSE_WAIT);
            Expect.madeAfterStamp(closeWait.start(), lab.stamp("server", "server close client socket"),
                    "the client's CLOSE_WAIT begins with the server's close()", lab);
            Expect.madeBeforeStamp(closeWait.end(), lab.stamp("client", "close socket and sleep"),
                    "and lasts until the client quits and closes", lab);
            Phase finWait2 = phase(server, TcpState.FIN_WAIT2);
            Expect.together(finWait2.end(), closeWait.end(), "the client's FIN ends the server's FIN_WAIT2", lab);

            Phase timeWait = phase(server, TcpState.TIME_WAIT);
            assertEquals(lab.port(), server.key().local().getPort(), "TIME_WAIT is on the server's port");
            assertEquals(TimerKind.TIME_WAIT, timeWait.timerAtStart());
            assertTrue(timeWait.timerRemainingAtStart().compareTo(Duration.ofSeconds(59)) > 0,
                    "TIME_WAIT's timer starts near 60 s: " + timeWait.timerRemainingAtStart());
            assertFalse(client.states().contains(TcpState.TIME_WAIT), "the client closed second: no TIME_WAIT");

            assertEquals(ExitCode.OK, lab.awaitExit("server", STARTUP), lab.err("server"));
            assertTrue(lab.out("server").contains("server closes first after 1 message(s)\nserver close client socket\n"),
                    lab.out("server"));
        }
    }
}
