package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static io.echolab.it.Lab.lasted;
import static io.echolab.it.Lab.near;
import static io.echolab.it.Lab.phase;
import static io.echolab.it.Lab.pollableStates;
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
 * S1, the article's trace (seed 004): the client sends "aa" then "q"; the server sleeps before close(), so
 * the server side sits in CLOSE_WAIT and the client in FIN_WAIT2 for the close delay; then the client holds
 * TIME_WAIT for 60 s while the listener stays. TIME_WAIT's end is not awaited: its timer's start is checked.
 */
class S1ArticleTraceTest {

    private static final Duration CLOSE_DELAY = Duration.ofMillis(1500);

    @Test
    void closeWaitAndFinWait2ForTheCloseDelayThenTimeWaitOnTheClient() throws Exception {
        try (Lab.Session session = Lab.session(List.of("--close-delay", "1500ms"), List.of("--hold", "0"))) {
            session.keyboard().type("aa\n");
            session.client().stdout.awaitLine("Message from server: aa", STARTUP);
            session.keyboard().type("q\n");
            assertEquals(ExitCode.OK, session.client().awaitExit(STARTUP), session.client().err());

            Connection clientSide = session.kernel().await("the client's TIME_WAIT", STARTUP, session.kernel()::clientSide,
                    c -> c.states().contains(TcpState.TIME_WAIT));
            Connection serverSide = session.kernel().await("the server's socket to close", STARTUP, session.kernel()::serverSide,
                    Connection::gone);

            assertEquals(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT), pollableStates(clientSide),
                    "the client closes first: FIN_WAIT2 while the server sleeps, then TIME_WAIT\n" + session.kernel().describe());
            assertEquals(List.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT), pollableStates(serverSide),
                    "the server side should sit in CLOSE_WAIT until its delayed close()\n" + session.kernel().describe());

            Phase finWait2 = phase(clientSide, TcpState.FIN_WAIT2);
            Phase closeWait = phase(serverSide, TcpState.CLOSE_WAIT);
            assertTrue(near(lasted(finWait2), CLOSE_DELAY), "FIN_WAIT2 should last the close delay: " + finWait2);
            assertTrue(near(lasted(closeWait), CLOSE_DELAY), "CLOSE_WAIT should last the close delay: " + closeWait);
            assertEquals(TimerKind.TIME_WAIT, finWait2.timerAtStart(),
                    "an orphaned FIN_WAIT2 (its owner called close()) is a time-wait socket: st 05 with timer 3");

            Phase timeWait = phase(clientSide, TcpState.TIME_WAIT);
            assertEquals(TimerKind.TIME_WAIT, timeWait.timerAtStart());
            Duration left = timeWait.timerRemainingAtStart();
            assertTrue(left.compareTo(Duration.ofSeconds(59)) > 0 && left.compareTo(Duration.ofSeconds(60)) <= 0,
                    "TIME_WAIT's timer should start at TCP_TIMEWAIT_LEN, 60 s: " + left);
            assertFalse(clientSide.gone(), "TIME_WAIT outlives the client's close by a minute");

            Connection listener = session.kernel().listener().orElseThrow();
            assertEquals(List.of(TcpState.LISTEN), listener.states());
            assertFalse(listener.gone(), "the listener stays: the server waits for its next client");

            String serverLines = session.server().program.stdout.await("the server back at accept() for client[1]", STARTUP,
                    out -> out.endsWith("server close client socket\nwaiting connection to accept...\n"));
            int clientPort = clientSide.key().local().getPort();
            assertEquals("listening on 0.0.0.0:" + session.server().port + "\n"
                    + "waiting connection to accept...\n"
                    + "Connected client[0]: 127.0.0.1:" + clientPort + "\n"
                    + "client[0] closed\n"
                    + "server sleep 1.5 seconds\n"
                    + "server close client socket\n"
                    + "waiting connection to accept...\n", serverLines);
            // echo_client2.c's session with the lines piped in: no terminal echoes the typed "aa" and "q"
            assertEquals("connect server success...\n"
                    + "Input(Q to quit): Message from server: aa\n"
                    + "Input(Q to quit): quit...\n"
                    + "close socket and sleep 0 seconds now...\n", session.client().out());
        }
    }
}
