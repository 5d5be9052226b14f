package io.echolab.watcher;

import static io.echolab.watcher.Loopback.connect;
import static io.echolab.watcher.Loopback.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.echolab.common.ExitCode;
import io.echolab.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * --expect on real loopback sockets that the test closes the way each case needs: met, failed as soon as
 * nothing could meet it, or not decided by --duration, each with the line that says what the connection went
 * through. Every watch is given a --duration of a minute: a case that ends sooner was decided.
 */
class ExpectLiveTest {

    private static final Duration DECIDED = Duration.ofSeconds(30);

    @ParameterizedTest
    @ValueSource(strings = {"netlink", "auto"})
    void theArticlesCloseMeetsItsExpectationsAndEndsTheWatch(String backend) throws Exception {
        try (ServerSocketChannel listener = Loopback.listenerAlone();
                RunningWatcher watcher = RunningWatcher.start("--backend", backend, "--port", port(listener),
                        "--interval", "1ms", "--duration", "60s",
                        "--expect", "client:ESTABLISHED,FIN_WAIT2", "--expect", "server:CLOSE_WAIT>=300ms")) {
            watcher.awaitOut("LISTEN");
            SocketChannel client = connect(listener);
            try (SocketChannel accepted = listener.accept()) {
                String clientPort = port(client);
                watcher.awaitOut(clientPort);
                // The client closes first; the server side reads the EOF and, as the article's server sleeping,
                // does not close: CLOSE_WAIT for as long as the test holds it
                client.close();
                assertEquals(-1, accepted.read(ByteBuffer.allocate(1)), "the server side reads the client's FIN");

                assertEquals(ExitCode.OK, watcher.awaitExit(DECIDED), watcher.err());
                List<String> lines = watcher.err().lines().toList();
                assertEquals(2, lines.size(), watcher.err());
                assertTrue(lines.get(0).startsWith("state-watcher: --expect 'client:ESTABLISHED,FIN_WAIT2' met by tcp "
                        + "127.0.0.1:" + clientPort + " -> 127.0.0.1:" + port(listener)), lines.get(0));
                assertTrue(lines.get(1).startsWith("state-watcher: --expect 'server:CLOSE_WAIT>=300ms' met by tcp "
                        + "127.0.0.1:" + port(listener) + " -> 127.0.0.1:" + clientPort), lines.get(1));
                assertTrue(Pattern.compile("CLOSE_WAIT (0\\.[3-9]\\d\\d|[1-9]\\d*\\.\\d{3}) s so far$").matcher(lines.get(1)).find(),
                        "decided once CLOSE_WAIT had lasted 300 ms, not before: " + lines.get(1));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"netlink", "auto"})
    void aResetFailsItAsSoonAsBothEndsAreGone(String backend) throws Exception {
        try (ServerSocketChannel listener = Loopback.listenerAlone();
                RunningWatcher watcher = RunningWatcher.start("--backend", backend, "--port", port(listener),
                        "--interval", "1ms", "--duration", "60s",
                        "--expect", "client:ESTABLISHED,FIN_WAIT2,TIME_WAIT,CLOSED")) {
            watcher.awaitOut("LISTEN");
            SocketChannel client = connect(listener);
            SocketChannel accepted = listener.accept();
            try {
                String clientPort = port(client);
                Await.until("the watcher to see both ends ESTABLISHED",
                        () -> watcher.out().lines().filter(l -> l.endsWith("ESTABLISHED")).count() >= 2, watcher::out);
                // SO_LINGER {on, 0}: close() sends RST, no FIN_WAIT2, no TIME_WAIT
                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                client.close();

                assertEquals(ExitCode.NOT_MET, watcher.awaitExit(DECIDED), watcher.err());
                List<String> lines = watcher.err().lines().toList();
                assertEquals(1, lines.size(), watcher.err());
                assertTrue(lines.get(0).startsWith("state-watcher: --expect 'client:ESTABLISHED,FIN_WAIT2,TIME_WAIT,CLOSED'"
                        + " not met: every connection on its side ended without it; the closest, tcp 127.0.0.1:" + clientPort
                        + " -> 127.0.0.1:" + port(listener)), lines.get(0));
                assertTrue(Pattern.compile(", went (SYN_SENT \\d+\\.\\d{3} s, )?ESTABLISHED \\d+\\.\\d{3} s, CLOSED \\(1 of 4 "
                        + "steps met\\)$").matcher(lines.get(0)).find(), "ESTABLISHED, then gone: " + lines.get(0));
            } finally {
                accepted.close();
            }
        }
    }

    @Test
    void notDecidedByTheEndOfTheWatchIsNotMetAndSaysWhatWasSeen() throws Exception {
        try (ServerSocketChannel listener = Loopback.listenerAlone();
                RunningWatcher watcher = RunningWatcher.start("--backend", "netlink", "--port", port(listener),
                        "--interval", "1ms", "--duration", "1s", "--expect", "server:CLOSE_WAIT<=100ms")) {
            watcher.awaitOut("LISTEN");
            SocketChannel client = connect(listener);
            SocketChannel accepted = listener.accept();
            try {
                String clientPort = port(client);
                client.close();
                // The server side never closes while watched: its CLOSE_WAIT has not ended, so cannot be <= 100ms

                assertEquals(ExitCode.NOT_MET, watcher.awaitExit(DECIDED), watcher.err());
                String line = watcher.err().strip();
                assertTrue(line.startsWith("state-watcher: --expect 'server:CLOSE_WAIT<=100ms' not met by the end of the "
                        + "watch: the closest, tcp 127.0.0.1:" + port(listener) + " -> 127.0.0.1:" + clientPort), line);
                assertTrue(Pattern.compile("CLOSE_WAIT \\d+\\.\\d{3} s so far \\(0 of 1 steps met\\)$").matcher(line).find(),
                        line);
            } finally {
                accepted.close();
            }
        }
    }

    @Test
    void noConnectionOnItsSideIsNotMet() throws Exception {
        try (ServerSocketChannel listener = Loopback.listenerAlone();
                RunningWatcher watcher = RunningWatcher.start("--backend", "netlink", "--port", port(listener),
                        "--duration", "300ms", "--expect", "client:ESTABLISHED", "--expect", "listener:LISTEN")) {
            assertEquals(ExitCode.NOT_MET, watcher.awaitExit(DECIDED), watcher.err());
            List<String> lines = watcher.err().lines().toList();
            assertEquals("state-watcher: --expect 'client:ESTABLISHED' not met: no client connection (remote port "
                    + port(listener) + ") was seen", lines.get(0));
            assertTrue(lines.get(1).startsWith("state-watcher: --expect 'listener:LISTEN' met by tcp 127.0.0.1:"
                    + port(listener) + " -> 0.0.0.0:*"), lines.get(1));
        }
    }
}
