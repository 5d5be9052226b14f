package io.echolab.it;

import static io.echolab.it.Expect.phase;
import static io.echolab.it.Expect.pollable;
import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import io.echolab.common.DurationConverter;
import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;

/**
 * S1, the article's trace (seed 004): the client sends "aa" then "q"; the server sleeps before close(), so
 * the server side sits in CLOSE_WAIT and the client in FIN_WAIT2 for the close delay; then the client holds
 * TIME_WAIT for 60 s while the listener stays.
 */
abstract class S1ArticleTraceScenario {

    /** Where it runs. */
    abstract Lab lab();

    /** The server's close delay. */
    abstract Duration closeDelay();

    /** Whether to wait out the minute TIME_WAIT lasts, and bound its length. */
    abstract boolean waitsForTimeWait();

    @Test
    void closeWaitAndFinWait2ForTheCloseDelayThenTimeWaitOnTheClient() throws Exception {
        try (Lab lab = lab()) {
            lab.connect(List.of("--clients", "1", "--close-delay", closeDelay().toMillis() + "ms"), List.of("--hold", "0"));
            lab.echoAndQuit();
            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));

            Story story = waitsForTimeWait()
                    ? lab.awaitStory("the client's TIME_WAIT to expire", Duration.ofSeconds(90),
                            s -> s.clientSide().map(Connection::gone).orElse(false))
                    : lab.awaitStory("the client's TIME_WAIT", STARTUP,
                            s -> s.clientSide().map(c -> c.states().contains(TcpState.TIME_WAIT)).orElse(false)
                                    && s.serverSide().map(Connection::gone).orElse(false));
            Connection client = story.clientSide().orElseThrow();
            Connection serverSide = story.serverSide().orElseThrow();
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT), pollable(client),
                    "the client closes first: FIN_WAIT2 while the server sleeps, then TIME_WAIT", lab);
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT), pollable(serverSide),
                    "the server side sits in CLOSE_WAIT until its delayed close(), then is gone", lab);

            // CLOSE_WAIT: from the client's FIN to the server's close(), at least the close delay apart
            Phase closeWait = phase(serverSide, TcpState.CLOSE_WAIT);
            Expect.madeBeforeStamp(closeWait.start(), lab.stamp("client", "close socket and sleep"),
                    "CLOSE_WAIT begins with the client's close(), printed right after it", lab);
            Expect.madeBeforeStamp(closeWait.start(), lab.stamp("server", "client[0] closed"),
                    "and before the server reads its EOF", lab);
            Expect.madeAfterStamp(closeWait.end(), lab.stamp("server", "server close client socket"),
                    "CLOSE_WAIT ends with the server's close(), printed right before it", lab);
            Expect.lastedAtLeast(closeWait, closeDelay(), "the server sleeps the close delay before close()", lab);
            Phase finWait2 = phase(client, TcpState.FIN_WAIT2);
            Expect.together(finWait2.end(), closeWait.end(), "the server's FIN ends the client's FIN_WAIT2", lab);
            assertEquals(TimerKind.TIME_WAIT, finWait2.timerAtStart(),
                    "an orphaned FIN_WAIT2 (its owner called close()) is a time-wait socket: st 05 with timer 3");

            Phase timeWait = phase(client, TcpState.TIME_WAIT);
            assertEquals(TimerKind.TIME_WAIT, timeWait.timerAtStart());
            Duration left = timeWait.timerRemainingAtStart();
            assertTrue(left.compareTo(Duration.ofSeconds(59)) > 0 && left.compareTo(Duration.ofSeconds(60)) <= 0,
                    "TIME_WAIT's timer starts at TCP_TIMEWAIT_LEN, 60 s: " + left);
            if (waitsForTimeWait()) {
                Expect.endedByTimer(timeWait, Duration.ofSeconds(60), "TIME_WAIT lasts TCP_TIMEWAIT_LEN", lab);
            }
            assertEquals(List.of(TcpState.LISTEN), story.listener().orElseThrow().states());

            // Who held each socket, kept after close(): the client's TIME_WAIT row still names the client
            Expect.ownedBy(client, lab.owner("client"), "the client's connection, TIME_WAIT included", lab);
            Expect.ownedBy(serverSide, lab.owner("server"), "the accepted socket, from accept() on", lab);
            Expect.ownedBy(story.listener().orElseThrow(), lab.owner("server"), "the listener", lab);

            assertTrue(lab.out("server").endsWith("waiting connection to accept...\n"
                    + "Connected client[0]: 127.0.0.1:" + client.key().local().getPort() + "\n"
                    + "client[0] closed\n"
                    + "server sleep " + DurationConverter.seconds(closeDelay()) + " seconds\n"
                    + "server close client socket\n"), lab.out("server"));
            // echo_client2.c's session with the lines typed: no terminal echoes the typed "aa" and "q"
            assertEquals("connect server success...\n"
                    + "Input(Q to quit): Message from server: aa\n"
                    + "Input(Q to quit): quit...\n"
                    + "close socket and sleep 0 seconds now...\n", lab.out("client"));
        }
    }
}
