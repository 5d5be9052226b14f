package io.echolab.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.echolab.common.ExitCode;
import io.echolab.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;
import picocli.CommandLine;

/** --svg and --ladder on the command line: files checked before watching, and pictures from every backend and format. */
@Timeout(60)
class PictureOptionsTest {

    /** One run: exit code and stderr. */
    private record Run(int exitCode, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    @TempDir
    Path dir;

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = StateWatcherCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        return new Run(commandLine.execute(args), err.toString());
    }

    // --duration 1h: each returns at once (the test's timeout is a minute), so the check comes before watching

    @Test
    void aDirectoryIsNoFile() {
        Run run = run("--svg", dir.toString(), "--duration", "1h");
        assertEquals(ExitCode.CANT_CREATE, run.exitCode());
        assertEquals(List.of("state-watcher: --svg " + dir + ": is a directory; name a file, e.g. " + dir.resolve("picture.svg")),
                run.errLines());
    }

    @Test
    void aMissingDirectory() {
        Path file = dir.resolve("no-such-dir").resolve("ladder.svg");
        Run run = run("--ladder", file.toString(), "--port", "11233", "--duration", "1h");
        assertEquals(ExitCode.CANT_CREATE, run.exitCode());
        assertEquals(List.of("state-watcher: --ladder " + file + ": no such directory " + file.getParent()), run.errLines());
    }

    @Test
    void anUnwritablePlace() throws IOException {
        // sysfs refuses new files even to root, with EACCES
        assumeTrue(Files.isDirectory(Path.of("/sys/kernel")), "needs sysfs");
        Run run = run("--svg", "/sys/kernel/echolab.svg", "--duration", "1h");
        assertEquals(ExitCode.CANT_CREATE, run.exitCode());
        assertEquals(List.of("state-watcher: --svg /sys/kernel/echolab.svg: cannot write in /sys/kernel (Permission denied)"),
                run.errLines());
    }

    @Test
    void theLadderNeedsAPortAndItsOwnFile() {
        Run noPort = run("--ladder", dir.resolve("l.svg").toString(), "--duration", "1h");
        assertEquals(ExitCode.USAGE, noPort.exitCode());
        assertEquals(List.of("state-watcher: --ladder needs --port: the connections to draw, and the packets to capture"
                + " (see --help)"), noPort.errLines());
        Path same = dir.resolve("same.svg");
        Run both = run("--svg", same.toString(), "--ladder", same.toString(), "--port", "11233", "--duration", "1h");
        assertEquals(ExitCode.USAGE, both.exitCode());
        assertEquals(List.of("state-watcher: --svg and --ladder name the same file, " + same + ": give each its own"
                + " (see --help)"), both.errLines());
    }

    static Stream<Arguments> backendsAndFormats() throws IOException {
        List<Arguments> all = new ArrayList<>();
        List<String> backends = new ArrayList<>(List.of("procfs", "netlink"));
        if (WatcherProcessTest.root()) {
            backends.add("trace");
        }
        for (String backend : backends) {
            for (OutputFormat format : OutputFormat.values()) {
                all.add(Arguments.of(backend, format.name().toLowerCase(Locale.ROOT)));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "--backend {0} --format {1}")
    @MethodSource("backendsAndFormats")
    void bothPicturesFromEveryBackendAndFormat(String backend, String format) throws Exception {
        // Alone on its port: an earlier test's TIME_WAIT there would be a connection to draw
        try (ServerSocketChannel listener = Loopback.listenerAlone()) {
            String port = Integer.toString(((InetSocketAddress) listener.getLocalAddress()).getPort());
            Path svg = dir.resolve("states.svg");
            Path ladder = dir.resolve("ladder.svg");

            Run run = run("--backend", backend, "--format", format, "--port", port, "--duration", "300ms",
                    "--svg", svg.toString(), "--ladder", ladder.toString());

            assertEquals(ExitCode.OK, run.exitCode(), run.err());
            Element lane = SvgDocument.read(svg).byClass("lane").stream()
                    .filter(e -> e.getAttribute("data-local").equals("127.0.0.1:" + port)).findFirst()
                    .orElseThrow(() -> new AssertionError("no lane for the listener"));
            assertEquals(List.of("LISTEN"), SvgDocument.byClass(lane, "phase").stream()
                    .map(e -> e.getAttribute("data-state")).toList());
            SvgDocument drawn = SvgDocument.read(ladder);
            assertTrue(drawn.byClass("ladder").isEmpty(), "a listener alone is no connection to draw");
            assertEquals(1, drawn.byClass("empty").size(), "the ladder says no connection was seen");
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(Set.of(svg, ladder), new HashSet<>(files.toList()), "no temporary file left behind");
            }
        }
    }

    @Test
    void theCaptureIsClosedWhenWatchingEnds() throws Exception {
        assumeTrue(WatcherProcessTest.root(), "a packet socket is root's; CI runs as root");
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            String port = Integer.toString(((InetSocketAddress) listener.getLocalAddress()).getPort());
            Set<Long> before = ownPacketSockets();
            CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> run("--backend", "netlink", "--port", port,
                    "--duration", "3s", "--ladder", dir.resolve("ladder.svg").toString()));
            Await.until("the watcher's packet socket", () -> ownPacketSockets().size() > before.size(), () -> before);

            assertEquals(ExitCode.OK, running.get(30, TimeUnit.SECONDS).exitCode());
            assertEquals(before, ownPacketSockets(), "the packet socket is closed once watching ends");
        }
    }

    @Test
    void whenStandardOutputFailsThePicturesAreStillWrittenAndTheCaptureClosed() throws Exception {
        assumeTrue(WatcherProcessTest.root(), "a packet socket is root's; CI runs as root");
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            String port = Integer.toString(((InetSocketAddress) listener.getLocalAddress()).getPort());
            Path ladder = dir.resolve("ladder.svg");
            Set<Long> before = ownPacketSockets();
            CommandLine commandLine = StateWatcherCommand.newCommandLine();
            commandLine.setOut(new PrintWriter(new Writer() { // a reader that has gone: every write fails
                @Override
                public void write(char[] buffer, int offset, int length) throws IOException {
                    throw new IOException("Broken pipe");
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            }));
            commandLine.setErr(new PrintWriter(new StringWriter(), true));

            int exitCode = commandLine.execute("--backend", "netlink", "--port", port, "--duration", "1h",
                    "--ladder", ladder.toString());

            assertEquals(ExitCode.IO, exitCode, "its first rows could not be printed");
            assertEquals(1, SvgDocument.read(ladder).byClass("capture-note").size(), "the ladder is written all the same");
            assertEquals(before, ownPacketSockets(), "and the packet socket closed");
        }
    }

    /** The inodes of this process's packet sockets: /proc/net/packet's rows whose inode one of our fds holds. */
    private static Set<Long> ownPacketSockets() {
        try {
            Set<Long> packet = new HashSet<>();
            for (String line : Files.readAllLines(Path.of("/proc/net/packet"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length >= 9 && fields[0].matches("[0-9a-f]+")) {
                    packet.add(Long.parseLong(fields[fields.length - 1]));
                }
            }
            Set<Long> own = new HashSet<>();
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            long inode = Long.parseLong(target.substring(8, target.length() - 1));
                            if (packet.contains(inode)) {
                                own.add(inode);
                            }
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            }
            return own;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
