package io.echolab.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.echolab.common.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The watcher as a process: how each way of ending it leaves the machine. Trace cases need root (CI is root). */
class WatcherProcessTest {

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalEndsItCleanlyAndRemovesTheTracefsInstance(String signal) throws Exception {
        assumeTrue(root(), "the tracepoint is root's; CI runs as root");
        try (ServerSocketChannel listener = listener();
                WatcherProcess watcher = WatcherProcess.start("--backend", "trace", "--port", port(listener))) {
            Await.until("the watcher's tracefs instance", () -> exists(watcher), () -> "none yet");

            watcher.signal(signal);

            assertEquals(ExitCode.OK, watcher.awaitExit(20), "SIG" + signal + " ends the watcher as --duration does");
            assertTrue(watcher.instance().isEmpty(), "the instance is removed: " + watcher.instance());
        }
    }

    @Test
    void aSecondCtrlCEndsItAtOnceAndStillRemovesTheInstance() throws Exception {
        assumeTrue(root(), "the tracepoint is root's; CI runs as root");
        try (ServerSocketChannel listener = listener();
                WatcherProcess watcher = WatcherProcess.start("--backend", "trace", "--port", port(listener),
                        "--every-poll", "--interval", "1ms")) {
            // Nobody reads its output: once the pipe is full, it is stuck in write(2) and the first
            // Ctrl-C cannot end it; the second must.
            Await.until("the watcher blocked on its full pipe", () -> blocked(watcher), () -> "still writing");
            assertTrue(watcher.instance().isPresent(), "it made its instance");

            watcher.signal("INT");
            watcher.signal("INT");

            assertEquals(ExitCode.INTERRUPTED, watcher.awaitExit(20), "the second Ctrl-C ends it with 130");
            assertTrue(watcher.instance().isEmpty(), "the instance is removed even so: " + watcher.instance());
        }
    }

    @Test
    void itEndsWhenTheReaderOfItsOutputDoes() throws Exception {
        try (ServerSocketChannel listener = listener();
                WatcherProcess watcher = WatcherProcess.start("--port", port(listener))) {
            BufferedReader out = new BufferedReader(new InputStreamReader(watcher.process.getInputStream(),
                    StandardCharsets.UTF_8));
            // As `state-watcher --port P | head -n 2`: the timestamp and the listener, then the reader goes
            assertTrue(out.readLine().matches("\\d{4}-\\d{2}-\\d{2} .*"), "a timestamp first");
            assertTrue(out.readLine().contains("LISTEN"), "then the listener");
            out.close();

            // Nothing changes on the port, so nothing is printed: only the check of the pipe can end it
            assertEquals(ExitCode.IO, watcher.awaitExit(20), "standard output closed");
            assertEquals("", watcher.stderr(), "quietly: nobody is left to read a message on stdout's account");
        }
    }

    @Test
    void withoutRootTheTraceBackendSaysSoAndExits77(@TempDir Path dir) throws Exception {
        if (!root()) {
            StringWriter err = new StringWriter();
            CommandLine commandLine = StateWatcherCommand.newCommandLine();
            commandLine.setErr(new PrintWriter(err, true));
            assertEquals(ExitCode.NO_PERMISSION, commandLine.execute("--backend", "trace", "--duration", "1s"));
            assertNoRootMessage(err.toString());
            return;
        }
        // As root (CI): the same program as nobody
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String classpath = WatcherProcess.readableClasspath(dir);
        try (WatcherProcess watcher = WatcherProcess.start(
                List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), classpath,
                "--backend", "trace", "--duration", "1s")) {
            assertEquals(ExitCode.NO_PERMISSION, watcher.awaitExit(20));
            assertNoRootMessage(watcher.stderr());
        }
    }

    private static void assertNoRootMessage(String err) {
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), "one line: " + err);
        assertTrue(lines.get(0).startsWith("state-watcher: the trace backend needs root ("), err);
        assertTrue(lines.get(0).endsWith("run it with sudo, or use --backend netlink"), err);
    }

    private static ServerSocketChannel listener() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        return listener;
    }

    private static String port(ServerSocketChannel listener) throws IOException {
        return Integer.toString(((InetSocketAddress) listener.getLocalAddress()).getPort());
    }

    private static boolean exists(WatcherProcess watcher) {
        try {
            return watcher.instance().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean blocked(WatcherProcess watcher) {
        try {
            return watcher.blockedOnPipe();
        } catch (IOException e) {
            return false;
        }
    }

    static boolean root() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(line -> line.startsWith("Uid:") && line.split("\\s+")[2].equals("0"));
    }
}
