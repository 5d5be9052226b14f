package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import org.junit.jupiter.api.Test;

/**
 * S2: SO_LINGER {on, 0} on the client makes close() send RST: neither side passes through FIN_WAIT2,
 * CLOSE_WAIT or TIME_WAIT, and the server's read fails with "Connection reset by peer".
 */
abstract class S2ClientLingerZeroScenario {

    abstract Lab lab();

    @Test
    void resetSkipsEveryClosingState() throws Exception {
        try (Lab lab = lab()) {
            // Had a FIN come, the server would sit in CLOSE_WAIT for the 2 s close delay: no poll could miss it
            lab.connect(List.of("--clients", "1", "--close-delay", "2s"), List.of("--linger", "0", "--hold", "0"));
            lab.echoAndQuit();
            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));
            assertEquals(ExitCode.OK, lab.awaitExit("server", STARTUP), lab.err("server"));

            Story story = lab.awaitStory("both ends gone", STARTUP, s -> s.clientSide().map(Connection::gone).orElse(false)
                    && s.serverSide().map(Connection::gone).orElse(false));
            Expect.resetEndedBoth(story.clientSide().orElseThrow(), story.serverSide().orElseThrow(), story, lab);
            Expect.madeBeforeStamp(story.clientSide().orElseThrow().last().end(),
                    lab.stamp("client", "close socket and sleep"), "the client's close() sends the RST", lab);
            assertTrue(lab.out("server").contains("read from client[0] error: [Connection reset by peer]\n"
                    + "server close client socket\n"), lab.out("server"));
            assertFalse(lab.out("server").contains("server sleep"), "the server never saw an EOF, so it never sleeps");
        }
    }
}
