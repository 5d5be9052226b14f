package io.echolab.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import io.echolab.common.ExitCode;
import io.echolab.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * The pictures from real runs: the watcher as its own process watches real sockets on 127.0.0.1 that this test
 * opens and closes (LAB.md's S1 and S2), is stopped by SIGTERM as a user would, and both SVGs are read back as
 * XML. As root (CI) the ladder's packets come from the capture and must be there; as nobody it says why not.
 */
@Timeout(120)
class PicturesTest {

    /**
     * The server's delay between the client's FIN and its own close(): the article's 10 s, shortened, but well
     * past TCP_DELACK_MAX (200 ms): after a FIN the receiver is in pingpong mode and delays its ACK, and the
     * test wants that ACK on its own, before the server's FIN, even when a busy machine runs the timer late.
     */
    private static final Duration CLOSE_DELAY = Duration.ofSeconds(1);
    /**
     * How far the tracepoint's times (CLOCK_MONOTONIC, moved onto the wall clock by an offset read once at
     * start) and the packets' (the wall clock) may disagree: the two clocks read one after the other.
     */
    private static final Duration ONE_CLOCK = Duration.ofMillis(1);
    private static final byte[] LINE = "aa\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void s1ClientClosesFirst() throws Exception {
        assumeTrue(WatcherProcessTest.root(), "the tracepoint and the capture are root's; CI runs as root");
        try (ServerSocketChannel listener = listener()) {
            int port = port(listener);
            Path svg = dir.resolve("states.svg");
            Path ladder = dir.resolve("ladder.svg");
            int clientPort;
            try (WatcherProcess watcher = WatcherProcess.start("--backend", "trace", "--port", Integer.toString(port),
                    "--interval", "1ms", "--svg", svg.toString(), "--ladder", ladder.toString())) {
                Lines out = Lines.of(watcher);
                out.await("the watcher's first rows", line -> line.endsWith("LISTEN"));

                // Connect, one line each way; the client closes, the server after its close delay
                SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
                client.connect(listener.getLocalAddress());
                SocketChannel accepted = listener.accept();
                clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                echo(client, accepted);
                client.close();
                out.await("client FIN_WAIT2", row(clientPort, port, "FIN_WAIT2"));
                out.await("server CLOSE_WAIT", row(port, clientPort, "CLOSE_WAIT"));
                Thread.sleep(CLOSE_DELAY.toMillis()); // the scenario's close delay, not a wait for a condition
                accepted.close();
                out.await("client TIME_WAIT", row(clientPort, port, "TIME_WAIT"));

                watcher.signal("TERM");
                assertEquals(ExitCode.OK, watcher.awaitExit(30), "SIGTERM ends it cleanly: " + out);
            }

            // The ladder
            SvgDocument ladders = SvgDocument.read(ladder);
            Element note = only(ladders.byClass("capture-note"));
            assertEquals("true", note.getAttribute("data-captured"), "as root the packets are captured: " + note.getTextContent());
            Element connection = only(ladders.byClass("ladder"));
            assertEquals("127.0.0.1:" + clientPort, connection.getAttribute("data-client"));
            assertEquals("127.0.0.1:" + port, connection.getAttribute("data-server"), "the watched port is the server");
            assertEquals(List.of("SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"), states(connection, "client"),
                    "the side that closes first, every state the tracepoint reports (TIME_WAIT still on at exit)");
            assertEquals(List.of("SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"), states(connection, "server"),
                    "the passive side, freed once the last ACK came");

            List<Packet> packets = packets(connection);
            assertEquals(1, count(packets, p -> p.from.equals("client") && p.flags.equals(Set.of("SYN"))), "one SYN: " + packets);
            assertEquals(1, count(packets, p -> p.from.equals("server") && p.flags.equals(Set.of("SYN", "ACK"))), "one SYN-ACK");
            assertEquals(1, count(packets, p -> p.from.equals("client") && p.length == LINE.length), "the client's line");
            assertEquals(1, count(packets, p -> p.from.equals("server") && p.length == LINE.length), "its echo");
            assertEquals(0, count(packets, p -> p.flags.contains("RST")), "no reset: " + packets);
            List<Packet> fins = packets.stream().filter(p -> p.flags.contains("FIN")).toList();
            assertEquals(List.of("client", "server"), fins.stream().map(p -> p.from).toList(), "two FINs, the client's first");
            Packet clientFin = fins.get(0);
            Packet serverFin = fins.get(1);
            List<Packet> between = packets.subList(packets.indexOf(clientFin) + 1, packets.indexOf(serverFin));
            Packet finAck = between.stream().filter(p -> p.from.equals("server")).findFirst()
                    .orElseThrow(() -> new AssertionError("the server ACKs the client's FIN before its own: " + packets));
            assertEquals(Set.of("ACK"), finAck.flags, "the FIN's ACK, alone: the server still sleeps");
            assertTrue(Duration.between(clientFin.time, serverFin.time).compareTo(CLOSE_DELAY) >= 0,
                    "the server's FIN comes after its close delay: " + clientFin + " " + serverFin);
            List<Packet> after = packets.subList(packets.indexOf(serverFin) + 1, packets.size());
            assertEquals(1, after.size(), "one packet after the server's FIN: " + after);
            assertEquals("client", after.get(0).from, "the last ACK is the client's");
            assertEquals(Set.of("ACK"), after.get(0).flags);

            // One clock: each state at the packet that caused it
            assertCausedBy(state(connection, "server", "CLOSE_WAIT"), clientFin, finAck,
                    "the server enters CLOSE_WAIT at the client's FIN");
            assertCausedBy(state(connection, "client", "FIN_WAIT2"), finAck, serverFin, "the client enters FIN_WAIT2 at the FIN's ACK");
            assertCausedBy(state(connection, "server", "CLOSED"), after.get(0), null, "the server's socket goes at the last ACK");

            // The timeline
            SvgDocument timeline = SvgDocument.read(svg);
            Element listenerLane = lane(timeline, "127.0.0.1:" + port, "0.0.0.0:*");
            assertTrue(SvgDocument.text(only(SvgDocument.byClass(listenerLane, "lane-label"))).contains("127.0.0.1:" + port),
                    "the listener's lane names its address");
            assertTrue(SvgDocument.text(only(SvgDocument.byClass(listenerLane, "lane-owner")))
                    .endsWith("(pid " + ProcessHandle.current().pid() + ")"), "this test's JVM holds the listener");
            Element clientLane = lane(timeline, "127.0.0.1:" + clientPort, "127.0.0.1:" + port);
            Element serverLane = lane(timeline, "127.0.0.1:" + port, "127.0.0.1:" + clientPort);
            String clientLabel = SvgDocument.text(only(SvgDocument.byClass(clientLane, "lane-label")));
            assertTrue(clientLabel.contains("127.0.0.1:" + clientPort) && clientLabel.contains("127.0.0.1:" + port), clientLabel);
            assertEquals(1, SvgDocument.byClass(clientLane, "lane-owner").size(), "every lane says its owner, or that it is unknown");
            assertEquals(List.of("SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"), phases(clientLane));
            assertEquals(List.of("SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK"), phases(serverLane));
            List<String> legend = timeline.byClass("legend-item").stream().map(e -> e.getAttribute("data-state")).toList();
            assertTrue(legend.containsAll(List.of("LISTEN", "CLOSE_WAIT", "FIN_WAIT2", "TIME_WAIT")), "the legend: " + legend);
        }
    }

    @Test
    void s2LingerZeroResets() throws Exception {
        assumeTrue(WatcherProcessTest.root(), "the tracepoint and the capture are root's; CI runs as root");
        try (ServerSocketChannel listener = listener()) {
            int port = port(listener);
            Path ladder = dir.resolve("ladder.svg");
            int clientPort;
            try (WatcherProcess watcher = WatcherProcess.start("--backend", "trace", "--port", Integer.toString(port),
                    "--interval", "1ms", "--ladder", ladder.toString())) {
                Lines out = Lines.of(watcher);
                out.await("the watcher's first rows", line -> line.endsWith("LISTEN"));

                SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
                client.connect(listener.getLocalAddress());
                SocketChannel accepted = listener.accept();
                clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                echo(client, accepted);
                out.await("both ends ESTABLISHED", row(port, clientPort, "ESTABLISHED"));
                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                client.close(); // RST
                int last = clientPort;
                out.awaitAll("both ends gone", lines -> gone(lines, last));
                accepted.close();

                watcher.signal("TERM");
                assertEquals(ExitCode.OK, watcher.awaitExit(30), "SIGTERM ends it cleanly: " + out);
            }
            SvgDocument ladders = SvgDocument.read(ladder);
            Element connection = only(ladders.byClass("ladder"));
            List<String> client = states(connection, "client");
            List<String> server = states(connection, "server");
            assertEquals("CLOSED", client.get(client.size() - 1), "the client's socket is freed at once: " + client);
            assertEquals("CLOSED", server.get(server.size() - 1), "so is the server's, at the RST: " + server);
            for (String state : List.of("FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE_WAIT", "LAST_ACK")) {
                assertFalse(client.contains(state) || server.contains(state), "no " + state + " with SO_LINGER 0: "
                        + client + " " + server);
            }
            List<Packet> packets = packets(connection);
            assertEquals(0, count(packets, p -> p.flags.contains("FIN")), "no FIN: " + packets);
            List<Packet> resets = packets.stream().filter(p -> p.flags.contains("RST")).toList();
            assertEquals(1, resets.size(), "one RST: " + packets);
            assertEquals("client", resets.get(0).from, "from the client that closed with SO_LINGER 0");
            assertEquals(resets.get(0), packets.get(packets.size() - 1), "nothing after the RST");
            assertCausedBy(state(connection, "server", "CLOSED"), resets.get(0), null, "the server's socket goes at the RST");
        }
    }

    @Test
    void withoutRootTheLadderSaysPacketsWereNotCaptured() throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path ladder = out.resolve("ladder.svg");
        Path svg = out.resolve("states.svg");
        try (ServerSocketChannel listener = listener()) {
            int port = port(listener);
            String[] args = {"--port", Integer.toString(port), "--interval", "1ms", "--ladder", ladder.toString(),
                "--svg", svg.toString()};
            int clientPort;
            WatcherProcess started = WatcherProcessTest.root()
                    ? WatcherProcess.start(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"),
                            WatcherProcess.readableClasspath(Files.createDirectories(dir.resolve("cp"))), args)
                    : WatcherProcess.start(args);
            String stderr;
            try (WatcherProcess watcher = started) {
                Lines lines = Lines.of(watcher);
                lines.await("the watcher's first rows", line -> line.endsWith("LISTEN"));
                SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
                client.connect(listener.getLocalAddress());
                SocketChannel accepted = listener.accept();
                clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                echo(client, accepted);
                client.close();
                lines.await("client FIN_WAIT2", row(clientPort, port, "FIN_WAIT2"));
                accepted.close();
                lines.await("client TIME_WAIT", row(clientPort, port, "TIME_WAIT"));
                watcher.signal("TERM");
                assertEquals(ExitCode.OK, watcher.awaitExit(30), "no packets is no error");
                stderr = watcher.stderr();
            }
            assertTrue(stderr.contains("--ladder draws states only: capturing needs root"), stderr);
            SvgDocument ladders = SvgDocument.read(ladder);
            Element note = only(ladders.byClass("capture-note"));
            assertEquals("false", note.getAttribute("data-captured"));
            assertTrue(note.getTextContent().startsWith("Packets were not captured: capturing needs root"),
                    note.getTextContent());
            Element connection = only(ladders.byClass("ladder"));
            assertEquals(0, SvgDocument.byClass(connection, "packet").size(), "no packet drawn");
            assertTrue(states(connection, "client").containsAll(List.of("FIN_WAIT2", "TIME_WAIT")),
                    "the states are drawn all the same: " + states(connection, "client"));
            assertTrue(states(connection, "server").contains("CLOSE_WAIT"), states(connection, "server").toString());
            assertFalse(SvgDocument.read(svg).byClass("lane").isEmpty(), "and the timeline");
        }
    }

    // --- the connection -----------------------------------------------------------------------------------

    private static void echo(SocketChannel client, SocketChannel accepted) throws IOException {
        client.write(ByteBuffer.wrap(LINE));
        ByteBuffer in = ByteBuffer.allocate(LINE.length);
        while (in.hasRemaining()) {
            if (accepted.read(in) < 0) {
                throw new IOException("the client closed before its line arrived");
            }
        }
        accepted.write(in.flip());
        ByteBuffer back = ByteBuffer.allocate(LINE.length);
        while (back.hasRemaining()) {
            if (client.read(back) < 0) {
                throw new IOException("the server closed before the echo arrived");
            }
        }
    }

    /** Alone on its port: an earlier test's TIME_WAIT there would be another ladder. */
    private static ServerSocketChannel listener() throws IOException, InterruptedException {
        return Loopback.listenerAlone();
    }

    private static int port(ServerSocketChannel listener) throws IOException {
        return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    // --- the watcher's netstat rows -------------------------------------------------------------------------

    /** The watcher's standard output, read as it comes. */
    private static final class Lines {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        static Lines of(WatcherProcess watcher) {
            Lines lines = new Lines();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(watcher.process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "watcher-stdout");
            reader.setDaemon(true);
            reader.start();
            return lines;
        }

        void await(String what, Predicate<String> line) {
            awaitAll(what, all -> all.stream().anyMatch(line));
        }

        void awaitAll(String what, ListCondition condition) {
            Await.until(what, () -> condition.test(snapshot()), this::toString);
        }

        List<String> snapshot() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        @Override
        public String toString() {
            return String.join("\n", snapshot());
        }
    }

    /** A condition on all the lines so far. */
    @FunctionalInterface
    private interface ListCondition {
        boolean test(List<String> lines);
    }

    /** A netstat row of the socket from {@code local} to {@code remote} port in {@code state}. */
    private static Predicate<String> row(int local, int remote, String state) {
        return line -> line.matches("tcp .* 127\\.0\\.0\\.1:" + local + " +127\\.0\\.0\\.1:" + remote + " +" + state);
    }

    /** A block printed after the last one that showed a socket with {@code port}: both ends are gone. */
    private static boolean gone(List<String> lines, int port) {
        int last = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(":" + port + " ")) {
                last = i;
            }
        }
        if (last < 0) {
            return false;
        }
        for (int i = last + 1; i < lines.size(); i++) {
            if (lines.get(i).matches("\\d{4}-\\d{2}-\\d{2} .*")) {
                return true;
            }
        }
        return false;
    }

    // --- the pictures ---------------------------------------------------------------------------------------

    /** An arrow of the ladder. */
    private record Packet(String from, Set<String> flags, int length, Instant time) {
    }

    private static List<Packet> packets(Element ladder) {
        return SvgDocument.byClass(ladder, "packet").stream().map(e -> new Packet(e.getAttribute("data-from"),
                Set.of(e.getAttribute("data-flags").split(",")), Integer.parseInt(e.getAttribute("data-length")),
                SvgDocument.time(e))).toList();
    }

    private static List<String> states(Element ladder, String side) {
        return SvgDocument.byClass(ladder, "state").stream().filter(e -> e.getAttribute("data-side").equals(side))
                .map(e -> e.getAttribute("data-state")).toList();
    }

    private static Instant state(Element ladder, String side, String state) {
        return SvgDocument.byClass(ladder, "state").stream()
                .filter(e -> e.getAttribute("data-side").equals(side) && e.getAttribute("data-state").equals(state))
                .findFirst().map(SvgDocument::time)
                .orElseThrow(() -> new AssertionError("no " + side + " " + state + " in the ladder"));
    }

    private static Element lane(SvgDocument timeline, String local, String remote) {
        return timeline.byClass("lane").stream()
                .filter(e -> e.getAttribute("data-local").equals(local) && e.getAttribute("data-remote").equals(remote))
                .findFirst().orElseThrow(() -> new AssertionError("no lane " + local + " -> " + remote + " among "
                        + timeline.byClass("lane").stream().map(e -> e.getAttribute("data-local") + " -> "
                        + e.getAttribute("data-remote")).toList()));
    }

    private static List<String> phases(Element lane) {
        return SvgDocument.byClass(lane, "phase").stream().map(e -> e.getAttribute("data-state")).toList();
    }

    private static Element only(List<Element> elements) {
        if (elements.size() != 1) {
            fail("expected one element, found " + elements.size());
        }
        return elements.get(0);
    }

    private static long count(List<Packet> packets, Predicate<Packet> which) {
        return packets.stream().filter(which).count();
    }

    /**
     * A state caused by a packet: not before the packet arrived, and before the next packet of the connection
     * (the answer to it, or what came next), on one clock give or take {@link #ONE_CLOCK}. How soon after its
     * packet the kernel processes it is not bounded (a busy machine defers its softirqs), the order is.
     *
     * @param next the connection's next packet after the cause, or null when it was the last
     */
    private static void assertCausedBy(Instant state, Packet cause, Packet next, String why) {
        assertTrue(!state.isBefore(cause.time.minus(ONE_CLOCK)) && (next == null || !state.isAfter(next.time.plus(ONE_CLOCK))),
                why + ": the state at " + state + ", the packet at " + cause.time
                        + (next == null ? "" : ", the next packet at " + next.time));
    }
}
