package io.echolab.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.echolab.testing.Await;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.netlink.SockDiag;
import io.echolab.watcher.proc.TcpSysctls;
import io.echolab.watcher.report.Explanations;
import io.echolab.watcher.report.TimelineRenderer;
import org.junit.jupiter.api.Test;

/**
 * The watcher's command, run in this JVM on sockets this test makes and closes: a TIME_WAIT row keeps the
 * owner netstat -p and ss -p no longer show, and the timeline's notes come under the states they explain.
 */
class OwnersAndNotesLiveTest {

    private static final long PID = ProcessHandle.current().pid();

    @Test
    void timeWaitRowKeepsItsOwnerInNetstatAndSsFormats() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            StringWriter netstat = new StringWriter();
            StringWriter ss = new StringWriter();
            StringWriter err = new StringWriter();
            CompletableFuture<Integer> netstatRun = CompletableFuture.supplyAsync(() -> TableFormatsLiveTest.command(netstat, err)
                    .execute("--port", Integer.toString(port), "-p", "--backend", "netlink", "--duration", "5s"));
            CompletableFuture<Integer> ssRun = CompletableFuture.supplyAsync(() -> TableFormatsLiveTest.command(ss, err)
                    .execute("--port", Integer.toString(port), "--format", "ss", "--owners", "--backend", "netlink",
                            "--duration", "5s"));

            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
            int fd;
            try (SocketChannel accepted = listener.accept()) {
                fd = fdOf(inodeOf(clientPort, port));
                String netstatOwner = " " + PID + "/";
                String ssOwner = ",pid=" + PID + ",fd=" + fd + "))";
                // Close only once both have seen the client's row with its owner: the socket has an inode then
                Await.until("both watchers to name the client's owner", () ->
                        has(netstat, "127.0.0.1:" + clientPort, "ESTABLISHED", netstatOwner)
                                && has(ss, "127.0.0.1:" + clientPort, "ESTAB ", ssOwner), () -> netstat + "\n" + ss + err);
                client.close();
                accepted.close();
                Await.until("both watchers to show the client's TIME_WAIT", () ->
                        has(netstat, "127.0.0.1:" + clientPort, "TIME_WAIT", "") && has(ss, "127.0.0.1:" + clientPort,
                                "TIME-WAIT", ""), () -> netstat + "\n" + ss + err);

                assertTrue(has(netstat, "127.0.0.1:" + clientPort, "TIME_WAIT", netstatOwner),
                        "netstat -p shows - for a TIME_WAIT (inode 0); the watcher keeps who closed it: " + netstat);
                assertTrue(has(ss, "127.0.0.1:" + clientPort, "TIME-WAIT", ssOwner),
                        "ss -p shows nothing there; the watcher keeps users:((...)): " + ss);
            }
            assertEquals(0, netstatRun.get(20, TimeUnit.SECONDS), err.toString());
            assertEquals(0, ssRun.get(20, TimeUnit.SECONDS), err.toString());
        }
    }

    @Test
    void timelineNotesAResetALongCloseWaitAndTimeWait() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            Backend watched = Backend.netlink(SockDiag.open(), Set.of(port));
            Timeline timeline = new Timeline();
            Watcher watcher = new Watcher(watched, Duration.ofMillis(5), Clock.systemUTC(), List.of(timeline));
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
                try {
                    watcher.runFor(Duration.ofSeconds(20));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                Await.until("the first poll to see the listener", () -> timeline.connections().size() == 1,
                        timeline::connections);
                SocketChannel reset = SocketChannel.open(StandardProtocolFamily.INET);
                reset.connect(listener.getLocalAddress());
                int resetPort = ((InetSocketAddress) reset.getLocalAddress()).getPort();
                SocketChannel resetServer = listener.accept();
                SocketChannel closing = SocketChannel.open(StandardProtocolFamily.INET);
                closing.connect(listener.getLocalAddress());
                int closingPort = ((InetSocketAddress) closing.getLocalAddress()).getPort();
                SocketChannel closingServer = listener.accept();
                Await.until("both pairs ESTABLISHED in the timeline", () -> timeline.connections().size() == 5,
                        timeline::connections);
                // SO_LINGER 0: close() sends a RST, no FIN states
                reset.setOption(StandardSocketOptions.SO_LINGER, 0);
                reset.close();
                resetServer.close();
                // The client closes; the server stays 1.2 s in CLOSE_WAIT, then closes: the client's TIME_WAIT
                closing.close();
                long closed = System.nanoTime();
                while (System.nanoTime() - closed < 1_200_000_000L) {
                    Thread.sleep(50); // the close delay is the state under test, not a guess at a condition
                }
                closingServer.close();
                Await.until("the client's TIME_WAIT in the timeline", () -> timeline.connections().stream()
                        .anyMatch(c -> c.key().local().getPort() == closingPort && c.states().contains(TcpState.TIME_WAIT)),
                        timeline::connections);
                watcher.stop();
                run.get(20, TimeUnit.SECONDS);

                List<String> lines = TimelineRenderer.render(timeline.connections(), Instant.now(), ZoneId.systemDefault(),
                        new Explanations.Kernel(TcpSysctls.finTimeout(Path.of("/proc")), false));
                assertTrue(noteAfter(lines, "tcp 127.0.0.1:" + resetPort + " ->", "ESTABLISHED")
                        .contains("gone straight from ESTABLISHED: reset by a RST"), String.join("\n", lines));
                assertTrue(noteAfter(lines, "tcp 127.0.0.1:" + port + " -> 127.0.0.1:" + closingPort, "CLOSE_WAIT")
                        .contains("calls close()"), String.join("\n", lines));
                assertTrue(noteAfter(lines, "tcp 127.0.0.1:" + closingPort + " ->", "TIME_WAIT")
                        .contains("TIME_WAIT always lasts 60 s"), String.join("\n", lines));
                assertEquals("", noteAfter(lines, "tcp 127.0.0.1:" + closingPort + " ->", "ESTABLISHED"),
                        "a close with FINs is no reset");
            } finally {
                watcher.stop();
                watched.close();
            }
        }
    }

    /** The line after the connection's row for {@code state}, where its note goes; "" when there is none. */
    private static String noteAfter(List<String> lines, String header, String state) {
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(header)) {
                at = i;
            }
        }
        assertTrue(at >= 0, "no connection " + header + " in " + lines);
        for (int i = at + 1; i < lines.size() && !lines.get(i).isEmpty(); i++) {
            if (lines.get(i).matches("  \\S+  " + state + " .*")) {
                String next = i + 1 < lines.size() ? lines.get(i + 1) : "";
                return next.trim().startsWith("note: ") ? next : "";
            }
        }
        throw new AssertionError("no " + state + " under " + header + " in " + lines);
    }

    private static boolean has(StringWriter out, String local, String state, String owner) {
        return out.toString().lines().anyMatch(l -> l.contains(" " + local + " ") && l.contains(state) && l.contains(owner));
    }

    private static List<TcpSocket> rowsOn(int port) {
        try (SockDiag netlink = SockDiag.open()) {
            return netlink.dump(Set.of(port));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitRowsOn(int port, int count) {
        Await.until(count + " sockets on port " + port, () -> rowsOn(port).size() == count, () -> rowsOn(port));
    }

    private static long inodeOf(int clientPort, int port) {
        return rowsOn(port).stream().filter(r -> r.local().getPort() == clientPort).findFirst().orElseThrow().inode();
    }

    /** The descriptor this process holds the socket as, read from /proc/self/fd by the test itself. */
    private static int fdOf(long inode) throws IOException {
        try (DirectoryStream<Path> links = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path link : links) {
                try {
                    if (Files.readSymbolicLink(link).toString().equals("socket:[" + inode + "]")) {
                        return Integer.parseInt(link.getFileName().toString());
                    }
                } catch (IOException e) {
                    // closed since listed
                }
            }
        }
        throw new AssertionError("this process holds no socket:[" + inode + "]");
    }
}
