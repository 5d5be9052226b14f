package io.echolab.it;

import static io.echolab.it.Expect.phase;
import static io.echolab.it.Expect.pollable;
import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S5: a server that never calls close() leaks CLOSE_WAIT for as long as its process lives, while the
 * client's orphaned FIN_WAIT2 is dropped after tcp_fin_timeout (3 s in this namespace, to keep it short).
 */
@ExtendWith(DockerRequired.class)
class S5CloseWaitLeakIT {

    private static final Duration FIN_TIMEOUT = Duration.ofSeconds(3);

    @Test
    void closeWaitLastsAsLongAsTheProcess() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S5", Map.of("net.ipv4.tcp_fin_timeout", "3"))) {
            lab.connect(List.of("--clients", "1", "--no-close"), List.of("--hold", "0"));
            lab.echoAndQuit();
            lab.awaitLine("server", "holding 1 unclosed client socket(s)", STARTUP);

            Story story = lab.awaitStory("the client's FIN_WAIT2 to time out", STARTUP,
                    s -> s.clientSide().orElseThrow().gone());
            Connection client = story.clientSide().orElseThrow();
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2), pollable(client),
                    "the client's orphaned FIN_WAIT2, then gone", lab);
            Expect.endedByTimer(phase(client, TcpState.FIN_WAIT2), FIN_TIMEOUT,
                    "the orphaned FIN_WAIT2 is dropped after tcp_fin_timeout", lab);
            assertFalse(story.serverSide().orElseThrow().gone(),
                    "the server side is still in CLOSE_WAIT after its peer is gone\n" + lab.describe());

            // Before the signal: whatever the harness's latency, the kernel cannot end CLOSE_WAIT before this
            Instant beforeKill = Instant.now();
            lab.stop("server");
            story = lab.awaitStory("the server's CLOSE_WAIT to end with its process", STARTUP,
                    s -> s.serverSide().orElseThrow().gone());
            Connection server = story.serverSide().orElseThrow();
            assertEquals(TcpState.CLOSE_WAIT, server.last().state(), lab.describe());
            assertTrue(!server.last().end().isBefore(beforeKill),
                    "CLOSE_WAIT ended only when the process did (signalled after " + beforeKill + ", ended "
                            + server.last().end() + ")");
        }
    }
}
