package io.echolab.it;

import static io.echolab.it.Expect.phase;
import static io.echolab.it.Expect.pollable;
import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * S7: shutdown(SHUT_WR) is not close(). The client's FIN_WAIT2 keeps its owner (no timer), it still reads
 * the server's farewell while the server sits in CLOSE_WAIT, and it goes to TIME_WAIT when the server closes.
 */
abstract class S7HalfCloseScenario {

    private static final Duration CLOSE_DELAY = Duration.ofSeconds(1);

    abstract Lab lab();

    @Test
    void halfClosedClientStillReadsThenTimeWait() throws Exception {
        try (Lab lab = lab()) {
            lab.connect(List.of("--clients", "1", "--farewell", "bye", "--close-delay", "1s"),
                    List.of("--half-close", "--hold", "0"));
            lab.echoAndQuit();
            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));

            Story story = lab.awaitStory("the client's TIME_WAIT", STARTUP,
                    s -> s.clientSide().orElseThrow().states().contains(TcpState.TIME_WAIT)
                            && s.serverSide().map(Connection::gone).orElse(false));
            Connection client = story.clientSide().orElseThrow();
            Connection server = story.serverSide().orElseThrow();
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT), pollable(client),
                    "half-closed, then closed on", lab);
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT), pollable(server), "the server closes last", lab);
            Phase finWait2 = phase(client, TcpState.FIN_WAIT2);
            assertEquals(TimerKind.OFF, finWait2.timerAtStart(),
                    "after shutdown() the socket still has its owner: a plain FIN_WAIT2, no tcp_fin_timeout timer");
            Phase closeWait = phase(server, TcpState.CLOSE_WAIT);
            Expect.lastedAtLeast(closeWait, CLOSE_DELAY, "the server sleeps the close delay after its farewell", lab);
            Expect.madeAfterStamp(closeWait.end(), lab.stamp("server", "server close client socket"),
                    "CLOSE_WAIT ends with the server's close()", lab);
            Expect.together(finWait2.end(), closeWait.end(), "the server's FIN ends the client's FIN_WAIT2", lab);

            assertTrue(lab.out("client").endsWith("Input(Q to quit): quit...\n"
                    + "shutdown write side, reading until the server closes...\n"
                    + "Message from server: bye\n"
                    + "server closed\n"
                    + "close socket and sleep 0 seconds now...\n"), lab.out("client"));
            assertTrue(lab.out("server").contains("client[0] closed\nserver send farewell: bye\nserver sleep 1 seconds\n"),
                    lab.out("server"));
        }
    }
}
