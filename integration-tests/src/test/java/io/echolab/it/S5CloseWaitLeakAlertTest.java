package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.echolab.common.ExitCode;
import org.junit.jupiter.api.Test;

/**
 * S5, a missing close() leaks CLOSE_WAIT (seed 003), as one watcher call: the real echo-server with
 * {@code --no-close} in this JVM (LocalLab), the watcher warning of the leak with {@code --alert-close-wait} and
 * ending once the server side has sat in CLOSE_WAIT for a second ({@code --expect}).
 */
class S5CloseWaitLeakAlertTest {

    @Test
    void theLeakIsWarnedOfOnceNamingTheServer() throws Exception {
        try (LocalLab lab = LocalLab.start()) {
            lab.startServer(List.of("--no-close", "--clients", "1"));
            String port = Integer.toString(lab.port());
            lab.start("watcher", "state-watcher", Lab.Input.NONE, List.of("--port", port, "--interval", "1ms",
                    "--duration", "60s", "--alert-close-wait", "500ms", "--expect", "server:CLOSE_WAIT>=1s"));
            lab.await("the watcher to print the listener", STARTUP, () -> lab.rawOut("watcher").contains("LISTEN"));
            lab.start("client", "echo-client", Lab.Input.KEYBOARD, List.of("--hold", "0", "--timestamps", "127.0.0.1", port));
            lab.awaitLine("client", "connect server success", STARTUP);
            lab.echoAndQuit();

            assertEquals(ExitCode.OK, lab.awaitExit("watcher", STARTUP), lab.describe());
            List<String> lines = lab.err("watcher").lines().toList();
            assertEquals(2, lines.size(), "one warning, then the verdict: " + lab.err("watcher"));
            long pid = lab.owner("server").pid();
            assertTrue(lines.get(0).matches("state-watcher: warning: tcp 127\\.0\\.0\\.1:" + port + " -> 127\\.0\\.0\\.1:\\d+ "
                    + "in CLOSE_WAIT since .* \\(over --alert-close-wait 0\\.5s\\), held by \\S+ \\(pid " + pid
                    + ", fd \\d+\\): its peer closed, and \\S+ has not called close\\(\\)"), lines.get(0));
            assertTrue(lines.get(1).startsWith("state-watcher: --expect 'server:CLOSE_WAIT>=1s' met by tcp 127.0.0.1:" + port),
                    lines.get(1));
            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));
        }
    }
}
