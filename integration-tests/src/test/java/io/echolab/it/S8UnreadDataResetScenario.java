package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import org.junit.jupiter.api.Test;

/**
 * S8: close() discards queued data, and with unread bytes in the receive queue the kernel sends RST, not FIN.
 * The server reads at most 1024 bytes (echo_server2.c's BUF_SIZE) of a 4000-byte line, echoes them and closes
 * first: the rest is unread, so the client sees "Connection reset by peer" and no side lingers.
 */
abstract class S8UnreadDataResetScenario {

    abstract Lab lab();

    @Test
    void closingWithUnreadDataResets() throws Exception {
        try (Lab lab = lab()) {
            lab.connect(List.of("--clients", "1", "--close-after", "1"), List.of("--hold", "0"));
            lab.type("client", "x".repeat(4000) + "\n");

            assertEquals(ExitCode.IO, lab.awaitExit("client", STARTUP), lab.out("client"));
            assertEquals("read from server failed: Connection reset by peer\n", lab.err("client"));
            Story story = lab.awaitStory("both ends gone", STARTUP, s -> s.clientSide().map(Connection::gone).orElse(false)
                    && s.serverSide().map(Connection::gone).orElse(false));
            Expect.resetEndedBoth(story.clientSide().orElseThrow(), story.serverSide().orElseThrow(), story, lab);
            Expect.madeAfterStamp(story.serverSide().orElseThrow().last().end(),
                    lab.stamp("server", "server close client socket"), "the server's close() with unread data resets", lab);
        }
    }
}
