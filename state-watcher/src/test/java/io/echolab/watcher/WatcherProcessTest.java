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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import io.echolab.common.ExitCode;
import io.echolab.testing.Await;
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

    /** setpriv's arguments that run the rest of the command as nobody. */
    private static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

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
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String classpath = WatcherProcess.readableClasspath(dir);
        try (WatcherProcess watcher = WatcherProcess.start(
                NOBODY, classpath,
                "--backend", "trace", "--duration", "1s")) {
            assertEquals(ExitCode.NO_PERMISSION, watcher.awaitExit(20));
            assertNoRootMessage(watcher.stderr());
        }
    }

    @Test
    void aWatchThatCannotEndWithinTheGracePeriodIsEndedAndStillRemovesTheInstance() throws Exception {
        assumeTrue(root(), "the tracepoint is root's; CI runs as root");
        try (ServerSocketChannel listener = listener();
                WatcherProcess watcher = WatcherProcess.start("--backend", "trace", "--port", port(listener),
                        "--every-poll", "--interval", "1ms")) {
            // Stuck in write(2) on a pipe nobody reads: one SIGTERM cannot end it its own way
            Await.until("the watcher blocked on its full pipe", () -> blocked(watcher), () -> "still writing");

            watcher.signal("TERM");

            assertEquals(ExitCode.TERMINATED, watcher.awaitExit(20), "ended with SIGTERM's code after the grace period");
            assertTrue(watcher.instance().isEmpty(), "the instance is removed even so: " + watcher.instance());
        }
    }

    @Test
    void asNobodyAProcRootItCannotReadIsOneLineAndExits77(@TempDir Path dir) throws Exception {
        Path procRoot = Files.createDirectories(dir.resolve("proc"));
        Files.createDirectories(procRoot.resolve("net"));
        Files.writeString(procRoot.resolve("net/tcp"), Files.readString(Fixtures.procRoot("established-v4").resolve("net/tcp")));
        Files.setPosixFilePermissions(procRoot.resolve("net"), PosixFilePermissions.fromString("---------"));
        if (!root()) {
            StringWriter err = new StringWriter();
            CommandLine commandLine = StateWatcherCommand.newCommandLine();
            commandLine.setErr(new PrintWriter(err, true));
            assertEquals(ExitCode.NO_PERMISSION, commandLine.execute("--proc-root", procRoot.toString(), "--duration", "1s"));
            assertEquals(List.of("state-watcher: " + procRoot + "/net/tcp: Permission denied"), err.toString().lines().toList());
            return;
        }
        // As root (CI), whom no mode stops: the same program as nobody
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(procRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path classes = Files.createDirectories(dir.resolve("cp"));
        try (WatcherProcess watcher = WatcherProcess.start(NOBODY, WatcherProcess.readableClasspath(classes),
                "--proc-root", procRoot.toString(), "--duration", "1s")) {
            assertEquals(ExitCode.NO_PERMISSION, watcher.awaitExit(20));
            assertEquals(List.of("state-watcher: " + procRoot + "/net/tcp: Permission denied"), watcher.stderr().lines().toList());
        }
    }

    @Test
    void asNobodyAnotherUsersProcessWhoseProcItCannotReadIsOneLineAndExits77(@TempDir Path dir) throws Exception {
        assumeTrue(root(), "a /proc mounted with hidepid=noaccess in a mount namespace of its own needs root; CI runs as root");
        // This JVM is root's, and in a /proc mounted with hidepid=noaccess nobody may read its /proc/PID: as on
        // a host that mounts /proc so. The mount namespace and its /proc end with the watcher's process.
        long self = ProcessHandle.current().pid();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> prefix = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t proc -o hidepid=noaccess proc /proc && exec \"$@\"", "hidepid"));
        prefix.addAll(NOBODY);
        try (WatcherProcess watcher = WatcherProcess.start(prefix, WatcherProcess.readableClasspath(dir),
                "--pid", Long.toString(self), "--duration", "1s")) {
            int exitCode = watcher.awaitExit(20);
            String err = watcher.stderr();
            assertEquals(ExitCode.NO_PERMISSION, exitCode, err);
            assertEquals(List.of("state-watcher: /proc/" + self + "/net/tcp: Operation not permitted (process " + self
                    + " is another user's: try as root)"), err.lines().toList());
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
