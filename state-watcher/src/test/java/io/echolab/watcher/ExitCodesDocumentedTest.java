package io.echolab.watcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import io.echolab.common.Situation;
import io.echolab.testing.Await;
import io.echolab.testing.DocumentedExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The exit codes as state-watcher really ends with them, as ExitMapper decides them, as --help lists them and
 * as the README's table documents them: all four must agree. 69 is made with a --metrics-address the host
 * lacks; 69 for a tracepoint the kernel lacks is not made here, which would take tracefs away from the machine.
 */
@Timeout(120)
class ExitCodesDocumentedTest extends DocumentedExitCodes {

    @Override
    protected CommandLine newCommandLine() {
        return StateWatcherCommand.newCommandLine();
    }

    @Test
    void whatTheWatcherEndsWithIsTheMappersCodeListedInHelpAndTheReadme(@TempDir Path dir) throws Exception {
        assertEnds(Situation.DONE, run("--proc-root", Fixtures.procRoot("established-v4").toString(), "--duration", "50ms"));
        assertEnds(Situation.BAD_USAGE, run("--frobnicate"));
        // The saved table has a listener and ESTABLISHED connections, no TIME_WAIT
        assertEnds(Situation.NOT_MET, run("--proc-root", Fixtures.procRoot("established-v4").toString(), "--duration", "50ms",
                "--expect", "any:TIME_WAIT"));
        assertEnds(Situation.MALFORMED_INPUT, run("--proc-root", Fixtures.procRoot("malformed-hex").toString(),
                "--duration", "1s"));
        assertEnds(Situation.NO_SUCH_INPUT, run("--pid", "999999999", "--duration", "1s"));

        // A table that cannot be read: net/tcp is a directory (EISDIR)
        Path notATable = Files.createDirectories(dir.resolve("eisdir/net/tcp"));
        assertEnds(Situation.READ_FAILED, run("--proc-root", notATable.getParent().getParent().toString(),
                "--duration", "1s"));
        assertEnds(Situation.OUTPUT_CLOSED, runWithClosedOutput("--proc-root",
                Fixtures.procRoot("established-v4").toString(), "--duration", "1s"));

        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            String port = Integer.toString(((InetSocketAddress) taken.getLocalAddress()).getPort());
            assertEnds(Situation.ADDRESS_IN_USE, run("--metrics-port", port, "--duration", "1s"));
        }
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this host
        assertEnds(Situation.ADDRESS_NOT_AVAILABLE, run("--metrics-port", "0", "--metrics-address", "192.0.2.1",
                "--duration", "1s"));
        assertEnds(Situation.UNKNOWN_HOST, run("--metrics-port", "0", "--metrics-address", "no.such.host.invalid",
                "--duration", "1s"));

        assertEnds(Situation.PERMISSION_DENIED, unreadableProcRoot(dir.resolve("denied")));
        assertEnds(Situation.INTERRUPTED, twoSignals("INT"));
        assertEnds(Situation.TERMINATED, twoSignals("TERM"));
    }

    /** As {@code state-watcher ... | head -n 0}: every write to standard output fails. */
    private static int runWithClosedOutput(String... args) {
        CommandLine cmd = StateWatcherCommand.newCommandLine();
        cmd.setOut(new PrintWriter(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        }, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));
        return cmd.execute(args);
    }

    /** A --proc-root whose net directory the watcher may not enter: as nobody when this is root, whom no mode stops. */
    private int unreadableProcRoot(Path dir) throws Exception {
        Path net = Files.createDirectories(dir.resolve("proc/net"));
        Files.writeString(net.resolve("tcp"), Files.readString(Fixtures.procRoot("established-v4").resolve("net/tcp")));
        Files.setPosixFilePermissions(net, PosixFilePermissions.fromString("---------"));
        String procRoot = net.getParent().toString();
        if (!WatcherProcessTest.root()) {
            return run("--proc-root", procRoot, "--duration", "1s");
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(net.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path classes = Files.createDirectories(dir.resolve("cp"));
        try (WatcherProcess watcher = WatcherProcess.start(
                List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                WatcherProcess.readableClasspath(classes), "--proc-root", procRoot, "--duration", "1s")) {
            return watcher.awaitExit(20);
        }
    }

    /** A watcher stuck writing to a pipe nobody reads, so that the first signal cannot end it, then a second. */
    private static int twoSignals(String signal) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            String port = Integer.toString(((InetSocketAddress) listener.getLocalAddress()).getPort());
            try (WatcherProcess watcher = WatcherProcess.start("--backend", "netlink", "--port", port, "--every-poll",
                    "--interval", "1ms")) {
                Await.until("the watcher blocked on its full pipe", () -> blocked(watcher), () -> "still writing");
                watcher.signal(signal);
                watcher.signal(signal);
                return watcher.awaitExit(20);
            }
        }
    }

    private static boolean blocked(WatcherProcess watcher) {
        try {
            return watcher.blockedOnPipe();
        } catch (IOException e) {
            return false;
        }
    }
}
