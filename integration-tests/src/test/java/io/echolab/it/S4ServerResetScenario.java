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
import org.junit.jupiter.api.Test;

/** S4: the server resets with SO_LINGER {on, 0}, once after the client's close and once closing first. */
abstract class S4ServerResetScenario {

    private static final Duration CLOSE_DELAY = Duration.ofSeconds(1);

    /** Where it runs; {@code name} tells the two cases apart. */
    abstract Lab lab(String name);

    @Test
    void resetAfterTheClientsCloseEndsItsFinWait2AtOnce() throws Exception {
        try (Lab lab = lab("S4-after")) {
            lab.connect(List.of("--clients", "1", "--linger", "0", "--close-delay", "1s"), List.of("--hold", "0"));
            lab.echoAndQuit();
            assertEquals(ExitCode.OK, lab.awaitExit("server", STARTUP), lab.err("server"));

            Story story = lab.awaitStory("both ends gone", STARTUP, s -> s.clientSide().map(Connection::gone).orElse(false)
                    && s.serverSide().map(Connection::gone).orElse(false));
            Connection client = story.clientSide().orElseThrow();
            Connection server = story.serverSide().orElseThrow();
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2), pollable(client),
                    "the RST ends the client's orphaned FIN_WAIT2, with no TIME_WAIT", lab);
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT), pollable(server),
                    "the server side sits in CLOSE_WAIT for the close delay, then resets", lab);
            Phase closeWait = phase(server, TcpState.CLOSE_WAIT);
            Expect.lastedAtLeast(closeWait, CLOSE_DELAY, "the server sleeps the close delay", lab);
            Expect.madeAfterStamp(closeWait.end(), lab.stamp("server", "server close client socket"),
                    "its close() sends the RST", lab);
            Expect.together(client.last().end(), server.last().end(), "the RST ends the client's FIN_WAIT2 at once", lab);
            assertFalse(story.anyIn(TcpState.TIME_WAIT), "no TIME_WAIT anywhere\n" + lab.describe());
        }
    }

    @Test
    void resetClosingFirstFailsTheClientsNextWrite() throws Exception {
        try (Lab lab = lab("S4-first")) {
            lab.connect(List.of("--clients", "1", "--linger", "0", "--close-after", "1"), List.of("--hold", "0"));
            lab.type("client", "aa\n");
            Story story = lab.awaitStory("both ends gone", STARTUP, s -> s.clientSide().map(Connection::gone).orElse(false)
                    && s.serverSide().map(Connection::gone).orElse(false));
            Expect.resetEndedBoth(story.clientSide().orElseThrow(), story.serverSide().orElseThrow(), story, lab);
            lab.awaitLine("client", "Message from server: aa", STARTUP);
            lab.type("client", "bb\n");

            // echo_client2.c meets the reset on its next write(): "write message error, quit..."
            assertEquals(ExitCode.IO, lab.awaitExit("client", STARTUP), lab.out("client"));
            assertTrue(lab.out("client").contains("Input(Q to quit): write message error, quit...\n"), lab.out("client"));
            assertEquals("write to server failed: Connection reset by peer\n", lab.err("client"));
            assertFalse(lab.story().anyIn(TcpState.TIME_WAIT), "still no TIME_WAIT\n" + lab.describe());
        }
    }
}
