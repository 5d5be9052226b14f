package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import io.echolab.common.ExitCode;
import org.junit.jupiter.api.Test;

/**
 * S1 as one watcher call, as a CI job would check it: the article's states as {@code --expect} specs, the
 * watcher's exit code the verdict. The programs and the watcher run in this JVM on loopback (LocalLab), each as
 * its main runs it. The same specs against S2's client, which resets instead of closing, must fail.
 */
class S1ArticleTraceExpectTest {

    /** What S1 promises, in --expect's words: the client closes first, the server side waits the close delay. */
    private static final List<String> S1 = List.of(
            "--expect", "client:ESTABLISHED,FIN_WAIT2,TIME_WAIT",
            "--expect", "server:ESTABLISHED,CLOSE_WAIT>=1500ms,CLOSED",
            "--expect", "listener:LISTEN");

    @Test
    void theArticlesCloseMeetsS1() throws Exception {
        try (LocalLab lab = LocalLab.start()) {
            watch(lab, List.of("--clients", "1", "--close-delay", "1500ms"), List.of("--hold", "0"));
            lab.echoAndQuit();

            assertEquals(ExitCode.OK, lab.awaitExit("watcher", STARTUP), lab.describe());
            List<String> lines = lab.err("watcher").lines().toList();
            assertEquals(3, lines.size(), lab.err("watcher"));
            assertTrue(lines.get(0).matches("state-watcher: --expect 'client:ESTABLISHED,FIN_WAIT2,TIME_WAIT' met by tcp "
                    + "127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:" + lab.port() + "[ :,].*"), lines.get(0));
            assertTrue(lines.get(1).startsWith("state-watcher: --expect 'server:ESTABLISHED,CLOSE_WAIT>=1500ms,CLOSED' met "
                    + "by tcp 127.0.0.1:" + lab.port() + " -> 127.0.0.1:"), lines.get(1));
            assertTrue(lines.get(2).startsWith("state-watcher: --expect 'listener:LISTEN' met by tcp 0.0.0.0:" + lab.port()),
                    lines.get(2));
            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));
        }
    }

    @Test
    void aClientThatResetsFailsS1AtOnce() throws Exception {
        try (LocalLab lab = LocalLab.start()) {
            // S2: SO_LINGER {on, 0} on the client: close() sends RST, no FIN_WAIT2, no TIME_WAIT, no CLOSE_WAIT
            watch(lab, List.of("--clients", "1", "--close-delay", "1500ms"), List.of("--hold", "0", "--linger", "0"));
            lab.echoAndQuit();

            assertEquals(ExitCode.NOT_MET, lab.awaitExit("watcher", STARTUP), lab.describe());
            List<String> lines = lab.err("watcher").lines().toList();
            assertEquals(3, lines.size(), lab.err("watcher"));
            assertTrue(lines.get(0).matches("state-watcher: --expect 'client:ESTABLISHED,FIN_WAIT2,TIME_WAIT' not met: "
                    + "every connection on its side ended without it; the closest, tcp 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:"
                    + lab.port() + "[ :,].*"), lines.get(0));
            assertTrue(lines.get(0).endsWith(", CLOSED (1 of 3 steps met)"), "ESTABLISHED, then gone: " + lines.get(0));
            // The server side's RST may end the watch before or after its own verdict: not met either way
            assertTrue(lines.get(1).startsWith("state-watcher: --expect 'server:ESTABLISHED,CLOSE_WAIT>=1500ms,CLOSED' not met"),
                    lines.get(1));
            assertTrue(lines.get(2).startsWith("state-watcher: --expect 'listener:LISTEN' met"), lines.get(2));
        }
    }

    /**
     * The server, then the watcher on its port with S1's specs (a minute's --duration: the specs decide the watch
     * long before), then the client at its prompt once the watcher has printed the listener's row.
     */
    private static void watch(LocalLab lab, List<String> serverOptions, List<String> clientOptions)
            throws InterruptedException {
        lab.startServer(serverOptions);
        String port = Integer.toString(lab.port());
        List<String> args = new ArrayList<>(List.of("--port", port, "--interval", "1ms", "--duration", "60s"));
        args.addAll(S1);
        lab.start("watcher", "state-watcher", Lab.Input.NONE, args);
        lab.await("the watcher to print the listener", STARTUP, () -> lab.rawOut("watcher").contains("LISTEN"));
        List<String> client = new ArrayList<>(clientOptions);
        client.addAll(List.of("--timestamps", "127.0.0.1", port));
        lab.start("client", "echo-client", Lab.Input.KEYBOARD, client);
        lab.awaitLine("client", "connect server success", STARTUP);
    }
}
