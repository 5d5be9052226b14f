package io.echolab.it;

import static io.echolab.it.Expect.lasted;
import static io.echolab.it.Expect.phase;
import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.echolab.common.ExitCode;
import io.echolab.watcher.Backend;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;

/**
 * S1 watched through the sock:inet_sock_set_state tracepoint (root; CI runs as root): every state of both
 * ends, the ones too short for any poll included, each timed by the kernel's own timestamps.
 *
 * <p>Bounds, from what the kernel promises on loopback:
 * <ul>
 * <li>SYN_SENT and SYN_RECV end with the first SYN-ACK and ACK; a lost one would be sent again only after
 *     TCP_TIMEOUT_INIT, 1 s. Under a second means the handshake went through at once.
 * <li>FIN_WAIT1 ends when the server's kernel ACKs the FIN: at once, or by the delayed-ACK timer within
 *     TCP_DELACK_MAX (200 ms); the FIN's retransmission would take at least TCP_RTO_MIN (200 ms) more.
 *     LAST_ACK ends with the client's ACK, sent as its FIN arrives. Both well under a second.
 * <li>CLOSE_WAIT lasts at least the close delay: the server sleeps that long before close().
 * <li>The client's FIN_WAIT2 becomes TIME_WAIT when the server's FIN arrives: after the server entered
 *     LAST_ACK (it sent the FIN), before it left LAST_ACK (the client's ACK of it arrived).
 * </ul>
 */
class S1ArticleTraceTracepointTest {

    private static final Duration CLOSE_DELAY = Duration.ofMillis(500);
    private static final Duration SUB_SECOND = Duration.ofSeconds(1);
    private static final Path INSTANCES = Path.of("/sys/kernel/tracing/instances");

    @Test
    void everyTransitionOfBothEndsWithTheKernelsTimestamps() throws Exception {
        assumeTrue(root(), "the tracepoint is root's; CI runs as root");
        try (Lab lab = LocalLab.watchedBy(port -> Backend.trace(Set.of(port)))) {
            lab.connect(List.of("--close-delay", "500ms"), List.of("--hold", "0"));
            assertFalse(instances().isEmpty(), "the lab's tracefs instance exists while it watches");
            lab.echoAndQuit();
            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));

            Story story = lab.awaitStory("the client's TIME_WAIT and the server's socket gone", STARTUP,
                    s -> s.clientSide().orElseThrow().states().contains(TcpState.TIME_WAIT)
                            && s.serverSide().orElseThrow().gone());
            Connection client = story.clientSide().orElseThrow();
            Connection server = story.serverSide().orElseThrow();
            String timeline = lab.describe();

            assertEquals(List.of(TcpState.SYN_SENT, TcpState.ESTABLISHED, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2,
                    TcpState.TIME_WAIT), client.states(), "the client's every state, in order\n" + timeline);
            assertEquals(List.of(TcpState.SYN_RECV, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT, TcpState.LAST_ACK),
                    server.states(), "the server side's every state, in order, then gone\n" + timeline);
            for (Phase shortOne : List.of(phase(client, TcpState.SYN_SENT), phase(server, TcpState.SYN_RECV),
                    phase(client, TcpState.FIN_WAIT1), phase(server, TcpState.LAST_ACK))) {
                Duration lasted = lasted(shortOne);
                assertTrue(!lasted.isNegative() && lasted.compareTo(SUB_SECOND) < 0,
                        shortOne.state() + " lasts under a second: " + lasted + "\n" + timeline);
                assertTrue(shortOne.startSeen(), shortOne.state() + " began while watching");
            }
            assertTrue(lasted(phase(server, TcpState.CLOSE_WAIT)).compareTo(CLOSE_DELAY) >= 0,
                    "CLOSE_WAIT lasts at least the server's sleep\n" + timeline);
            Phase lastAck = phase(server, TcpState.LAST_ACK);
            Phase timeWait = phase(client, TcpState.TIME_WAIT);
            assertFalse(timeWait.start().isBefore(lastAck.start()), "TIME_WAIT follows the server's FIN\n" + timeline);
            assertFalse(timeWait.start().isAfter(lastAck.end()), "and precedes the ACK that ends LAST_ACK\n" + timeline);
        }
        assertEquals(List.of(), instances(), "the tracefs instance is removed when the watcher closes");
    }

    /** This JVM's tracefs instances (echolab-watcher-PID-N). */
    private static List<Path> instances() throws IOException {
        List<Path> ours = new ArrayList<>();
        if (!Files.isDirectory(INSTANCES)) {
            return ours;
        }
        try (DirectoryStream<Path> all = Files.newDirectoryStream(INSTANCES,
                "echolab-watcher-" + ProcessHandle.current().pid() + "-*")) {
            all.forEach(ours::add);
        }
        return ours;
    }

    private static boolean root() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(line -> line.startsWith("Uid:") && line.split("\\s+")[2].equals("0"));
    }
}
