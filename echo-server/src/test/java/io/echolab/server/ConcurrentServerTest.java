package io.echolab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.echolab.common.SocketTuning;
import io.echolab.common.Transcript;
import io.echolab.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The selector server on real loopback sockets: at once, bounded, and leaving nothing behind. */
@Timeout(60)
class ConcurrentServerTest {

    private final ByteArrayOutputStream transcript = new ByteArrayOutputStream();

    private static ServerOptions options(boolean concurrent, int clients, int maxClients, long maxLine,
            Optional<Duration> idle, Duration closeDelay) throws IOException {
        return new ServerOptions(InetAddress.getByName("127.0.0.1"), 0, false, 50, clients, closeDelay, OptionalInt.empty(),
                false, Optional.empty(), concurrent, maxClients, maxLine, idle, SocketTuning.DEFAULTS);
    }

    /** The server on its own thread, as the command runs it; the future ends with serve(). */
    private record Running(EchoServer server, InetSocketAddress address, Thread thread, CompletableFuture<Throwable> done) {
        void interrupt() {
            thread.interrupt();
        }
    }

    private Running start(ServerOptions options) throws IOException {
        EchoServer server = new EchoServer(options, new Transcript(transcript, false, Clock.systemUTC()));
        InetSocketAddress address = server.listen();
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try (server) {
                server.serve();
                done.complete(null);
            } catch (Throwable t) {
                done.complete(t);
            }
        }, "server");
        thread.start();
        return new Running(server, address, thread, done);
    }

    private String lines() {
        synchronized (transcript) {
            return transcript.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void clientsAreEchoedAtOnce() throws Exception {
        Running running = start(options(true, 2, 10, 0, Optional.empty(), Duration.ZERO));
        try (SocketChannel first = connect(running); SocketChannel second = connect(running)) {
            // The second is echoed while the first is still open: the sequential server would hold it in the queue
            assertEquals("two\n", echo(second, "two\n"));
            assertEquals("one\n", echo(first, "one\n"));
        }
        assertEquals(null, running.done().get(10, TimeUnit.SECONDS), "it ends after its two clients");
        assertTrue(lines().contains("Connected client[1]"), lines());
    }

    @Test
    void aClientPastMaxClientsIsToldSoAndClosed() throws Exception {
        Running running = start(options(true, 0, 1, 0, Optional.empty(), Duration.ZERO));
        try (SocketChannel served = connect(running)) {
            assertEquals("aa\n", echo(served, "aa\n"));
            try (SocketChannel extra = connect(running)) {
                assertEquals(EchoServer.busyLine(1), readToEnd(extra), "one line, then the server's FIN");
            }
            assertEquals("bb\n", echo(served, "bb\n"), "the client being served is not disturbed");
            Await.until("the server's line about it", () -> lines().contains("server busy, turned away 127.0.0.1:"),
                    this::lines);
        } finally {
            running.interrupt();
        }
        assertInstanceOf(InterruptedException.class, running.done().get(10, TimeUnit.SECONDS));
    }

    @Test
    void finishedClientsLeaveNothingBehind() throws Exception {
        Running running = start(options(true, 0, 5, 0, Optional.empty(), Duration.ZERO));
        try {
            for (int i = 0; i < 300; i++) {
                try (SocketChannel client = connect(running)) {
                    assertEquals("x\n", echo(client, "x\n"));
                }
            }
            Await.until("no client left in the server", () -> running.server().activeClients() == 0,
                    () -> running.server().activeClients() + " clients");
            Await.until("no server-side socket left but the listener", () -> serverSideSockets(running).isEmpty(),
                    () -> serverSideSockets(running));
        } finally {
            running.interrupt();
        }
        running.done().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theSequentialServerQueuesTheNextClientUntilTheLastIsClosed() throws Exception {
        Running running = start(options(false, 2, 1000, 0, Optional.empty(), Duration.ZERO));
        try (SocketChannel first = connect(running); SocketChannel second = connect(running)) {
            assertEquals("one\n", echo(first, "one\n"));
            second.write(ByteBuffer.wrap("two\n".getBytes(StandardCharsets.UTF_8)));
            assertTrue(!lines().contains("Connected client[1]"), "not accepted while client[0] is served: " + lines());
            first.close();
            assertEquals("two\n", echo(second, ""), "accepted and echoed once client[0] is closed");
        }
        assertEquals(null, running.done().get(10, TimeUnit.SECONDS));
    }

    @Test
    void aLineLongerThanMaxLineClosesTheClient() throws Exception {
        Running running = start(options(false, 1, 1000, 1000, Optional.empty(), Duration.ZERO));
        try (SocketChannel client = connect(running)) {
            assertEquals("short\n", echo(client, "short\n"));
            client.write(ByteBuffer.wrap(new byte[2000]));
            // The server closes with the rest of the line unread: the kernel sends RST, not FIN
            IOException reset = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> readToEnd(client));
            assertEquals("Connection reset", reset.getMessage());
        }
        assertEquals(null, running.done().get(10, TimeUnit.SECONDS));
        assertTrue(lines().endsWith("client[0] sent a line longer than 1000 bytes\nserver close client socket\n"), lines());
    }

    @Test
    void anIdleClientIsClosedByTheServer() throws Exception {
        Running running = start(options(false, 1, 1000, 0, Optional.of(Duration.ofMillis(200)), Duration.ZERO));
        try (SocketChannel client = connect(running)) {
            assertEquals("", readToEnd(client), "nothing sent: the server closes first after the idle timeout");
        }
        assertEquals(null, running.done().get(10, TimeUnit.SECONDS));
        assertTrue(lines().endsWith("client[0] idle 0.2 seconds\nserver close client socket\n"), lines());
    }

    @Test
    void anInterruptClosesEverySocket() throws Exception {
        Running running = start(options(true, 0, 10, 0, Optional.empty(), Duration.ofHours(1)));
        try (SocketChannel echoing = connect(running); SocketChannel closing = connect(running)) {
            assertEquals("aa\n", echo(echoing, "aa\n"));
            closing.shutdownOutput();
            Await.until("client[1] in its close delay", () -> lines().contains("server sleep 3600 seconds"), this::lines);

            running.interrupt();

            assertInstanceOf(InterruptedException.class, running.done().get(10, TimeUnit.SECONDS));
            assertEquals(-1, echoing.read(ByteBuffer.allocate(8)), "the echoing client's socket was closed");
            assertEquals(-1, closing.read(ByteBuffer.allocate(8)), "the sleeping one's too");
            assertTrue(serverSideSockets(running).isEmpty(), "nor the listener, nor any other: " + serverSideSockets(running));
        }
    }

    private static SocketChannel connect(Running running) throws IOException {
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
        client.connect(running.address());
        return client;
    }

    /** Writes the line, then reads until that many bytes came back (or, for "", one line). */
    private static String echo(SocketChannel client, String line) throws IOException, ExecutionException {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        client.write(ByteBuffer.wrap(bytes));
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64);
        while (bytes.length == 0 ? !back.toString(StandardCharsets.UTF_8).endsWith("\n") : back.size() < bytes.length) {
            if (client.read(buffer.clear()) < 0) {
                break;
            }
            back.write(buffer.array(), 0, buffer.position());
        }
        return back.toString(StandardCharsets.UTF_8);
    }

    private static String readToEnd(SocketChannel client) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(256);
        while (client.read(buffer.clear()) >= 0) {
            received.write(buffer.array(), 0, buffer.position());
        }
        return received.toString(StandardCharsets.UTF_8);
    }

    /**
     * The kernel's sockets on the server's side that a descriptor still holds open, as ss shows them:
     * ESTABLISHED, CLOSE_WAIT, and the listener once the server is gone. What close() left to the kernel
     * (FIN_WAIT, LAST_ACK, TIME_WAIT: orphans) is not the server's any more.
     */
    private static List<String> serverSideSockets(Running running) {
        try {
            Process ss = new ProcessBuilder("ss", "-Htan", "sport = :" + running.address().getPort()).start();
            List<String> rows = new ArrayList<>(new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines().filter(row -> !row.isBlank()).toList());
            ss.waitFor(10, TimeUnit.SECONDS);
            rows.removeIf(row -> !(row.startsWith("ESTAB") || row.startsWith("CLOSE-WAIT") || row.startsWith("LISTEN"))
                    || row.startsWith("LISTEN") && running.thread().isAlive());
            return rows;
        } catch (IOException e) {
            throw new IllegalStateException("ss is needed (iproute2)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
