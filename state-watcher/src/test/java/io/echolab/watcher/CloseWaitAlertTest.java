package io.echolab.watcher;

import static io.echolab.watcher.Loopback.connect;
import static io.echolab.watcher.Loopback.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.echolab.common.ExitCode;
import io.echolab.testing.Await;
import org.junit.jupiter.api.Test;

/**
 * LAB.md's S5 on loopback with plain sockets: a server side that never calls close() stays in CLOSE_WAIT, and
 * --alert-close-wait warns of it once, naming this process as its holder, with the descriptor ss -p names; a
 * server side that closes at once is no leak and gets no warning.
 */
class CloseWaitAlertTest {

    private static final Duration THRESHOLD = Duration.ofMillis(500);
    /** {@code users:(("java",pid=4242,fd=7))}: ss -p's holder of a socket. */
    private static final Pattern SS_USER = Pattern.compile("users:\\(\\(\"[^\"]*\",pid=(\\d+),fd=(\\d+)\\)");

    @Test
    void aCloseWaitThatOutlastsTheThresholdIsWarnedOfOnceWithItsHolder() throws Exception {
        Path ss = Tools.require("ss", "iproute2");
        try (ServerSocketChannel listener = Loopback.listenerAlone()) {
            String port = port(listener);
            try (RunningWatcher watcher = RunningWatcher.start("--port", port, "--alert-close-wait", "500ms",
                    "--interval", "1ms", "--duration", "3s", "--format", "jsonl")) {
                watcher.awaitOut("\"LISTEN\"");

                // The leak: the client closes, the server side reads its EOF and never closes
                SocketChannel leakClient = connect(listener);
                SocketChannel leaked = listener.accept();
                String leakPort = port(leakClient);
                Instant closed = Instant.now();
                leakClient.close();
                assertEquals(-1, leaked.read(ByteBuffer.allocate(1)));
                // No leak: this server side closes as soon as it reads the EOF
                SocketChannel quickClient = connect(listener);
                try (SocketChannel quick = listener.accept()) {
                    quickClient.close();
                    assertEquals(-1, quick.read(ByteBuffer.allocate(1)));
                }
                Await.until("the warning", () -> watcher.err().contains("warning"), watcher::err);
                String holder = ss(ss, port, leakPort);

                assertEquals(ExitCode.OK, watcher.awaitExit(Duration.ofSeconds(30)), watcher.err());
                List<String> warnings = watcher.err().lines().toList();
                assertEquals(1, warnings.size(), "one warning, once, though the leak lasted the whole watch: " + watcher.err());
                long pid = ProcessHandle.current().pid();
                Matcher user = SS_USER.matcher(holder);
                assertTrue(user.find(), "ss names the holder: " + holder);
                assertEquals(Long.toString(pid), user.group(1), "ss: this JVM holds the leaked socket");
                String warning = warnings.get(0);
                assertTrue(warning.startsWith("state-watcher: warning: tcp 127.0.0.1:" + port + " -> 127.0.0.1:" + leakPort
                        + " in CLOSE_WAIT since "), warning);
                assertTrue(warning.contains("(over --alert-close-wait 0.5s), held by "), warning);
                assertTrue(warning.contains(" (pid " + pid + ", fd " + user.group(2) + "): its peer closed, and "), warning);
                assertTrue(warning.endsWith(" has not called close()"), warning);

                List<Map<String, Object>> alerts = watcher.out().lines().map(Json::object)
                        .filter(o -> "alert".equals(o.get("event"))).toList();
                assertEquals(1, alerts.size(), watcher.out());
                Map<String, Object> alert = alerts.get(0);
                assertEquals("close_wait", alert.get("alert"));
                assertEquals("127.0.0.1:" + port, alert.get("local"));
                assertEquals("127.0.0.1:" + leakPort, alert.get("remote"));
                assertEquals("CLOSE_WAIT", alert.get("state"));
                assertEquals(pid, ((Number) alert.get("pid")).longValue());
                assertEquals(Integer.parseInt(user.group(2)), ((Number) alert.get("fd")).intValue(), "the fd ss names");
                assertEquals(500, ((Number) alert.get("threshold_ms")).intValue());
                assertEquals(true, alert.get("since_seen"));
                Instant alertedAt = Instant.parse((String) alert.get("time"));
                assertFalse(alertedAt.isBefore(closed.plus(THRESHOLD)),
                        "not before the socket had been in CLOSE_WAIT for 500 ms: closed at " + closed + ", alert " + alertedAt);
                assertTrue(((Number) alert.get("age_ms")).longValue() >= 500, alert.toString());
                leaked.close();
            }
        }
    }

    @Test
    void aCloseWaitAlreadyThereWhenWatchingBeganIsWarnedOfAsOlder() throws Exception {
        try (ServerSocketChannel listener = Loopback.listenerAlone()) {
            SocketChannel client = connect(listener);
            try (SocketChannel leaked = listener.accept()) {
                client.close();
                assertEquals(-1, leaked.read(ByteBuffer.allocate(1)));

                try (RunningWatcher watcher = RunningWatcher.start("--port", port(listener), "--alert-close-wait", "200ms",
                        "--duration", "1s", "--backend", "netlink")) {
                    assertEquals(ExitCode.OK, watcher.awaitExit(Duration.ofSeconds(30)), watcher.err());
                    List<String> warnings = watcher.err().lines().toList();
                    assertEquals(1, warnings.size(), watcher.err());
                    assertTrue(warnings.get(0).contains(" in CLOSE_WAIT since before watching began, at least 0."),
                            warnings.get(0));
                }
            }
        }
    }

    /** ss's row for the server side of the connection from {@code clientPort}, with its holder. */
    private static String ss(Path ss, String port, String clientPort) throws IOException, InterruptedException {
        Tools.Result result = Tools.run(ss, "", "-tanpH", "state", "close-wait", "( sport = :" + port + " and dport = :"
                + clientPort + " )");
        assertEquals(0, result.exitCode(), result.output());
        return result.output();
    }
}
