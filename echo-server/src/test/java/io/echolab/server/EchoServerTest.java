package io.echolab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.echolab.common.SocketTuning;
import io.echolab.common.Transcript;
import org.junit.jupiter.api.Test;

/** The server's transcript for sessions driven by a plain socket on 127.0.0.1. */
class EchoServerTest {

    private final ByteArrayOutputStream transcript = new ByteArrayOutputStream();

    private ServerOptions options(OptionalInt closeAfter, Optional<String> farewell) throws IOException {
        return new ServerOptions(InetAddress.getByName("127.0.0.1"), 0, false, 5, 1, Duration.ZERO, closeAfter, false,
                farewell, false, ServerOptions.DEFAULT_MAX_CLIENTS, 0, Optional.empty(), SocketTuning.DEFAULTS);
    }

    /** Runs the server for one client in the background; returns its address and the finished-signal. */
    private CompletableFuture<Void> serve(EchoServer server) {
        return CompletableFuture.runAsync(() -> {
            try {
                server.serve();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void echoesAndPrintsTheCProgramsLines() throws Exception {
        try (EchoServer server = new EchoServer(options(OptionalInt.empty(), Optional.empty()), transcriptOut())) {
            InetSocketAddress address = server.listen();
            CompletableFuture<Void> done = serve(server);
            int clientPort;
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
                client.connect(address);
                clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                assertEquals("aa\n", echo(client, "aa\n"));
            }
            done.get(10, TimeUnit.SECONDS);
            assertEquals("waiting connection to accept...\n"
                    + "Connected client[0]: 127.0.0.1:" + clientPort + "\n"
                    + "client[0] closed\n"
                    + "server sleep 0 seconds\n"
                    + "server close client socket\n", transcript.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aResetClientIsAReadError() throws Exception {
        try (EchoServer server = new EchoServer(options(OptionalInt.empty(), Optional.empty()), transcriptOut())) {
            InetSocketAddress address = server.listen();
            CompletableFuture<Void> done = serve(server);
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
            client.connect(address);
            client.setOption(StandardSocketOptions.SO_LINGER, 0);
            client.close();
            done.get(10, TimeUnit.SECONDS);
            assertEquals("read from client[0] error: [Connection reset by peer]",
                    transcript.toString(StandardCharsets.UTF_8).lines().skip(2).findFirst().orElseThrow());
        }
    }

    @Test
    void closeAfterClosesFirstAfterTheNthEcho() throws Exception {
        try (EchoServer server = new EchoServer(options(OptionalInt.of(2), Optional.empty()), transcriptOut())) {
            InetSocketAddress address = server.listen();
            CompletableFuture<Void> done = serve(server);
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
                client.connect(address);
                assertEquals("one\n", echo(client, "one\n"));
                assertEquals("two\n", echo(client, "two\n"));
                assertEquals(-1, client.read(ByteBuffer.allocate(8)), "the server should have sent FIN after echo 2");
            }
            done.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void farewellComesAfterTheClientsEof() throws Exception {
        try (EchoServer server = new EchoServer(options(OptionalInt.empty(), Optional.of("bye")), transcriptOut())) {
            InetSocketAddress address = server.listen();
            CompletableFuture<Void> done = serve(server);
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
                client.connect(address);
                client.shutdownOutput();
                assertEquals("bye\n", readToEnd(client));
            }
            done.get(10, TimeUnit.SECONDS);
        }
    }

    private Transcript transcriptOut() {
        return new Transcript(transcript, false, Clock.systemUTC());
    }

    private static String echo(SocketChannel client, String line) throws IOException {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        client.write(ByteBuffer.wrap(bytes));
        ByteBuffer back = ByteBuffer.allocate(bytes.length);
        while (back.hasRemaining() && client.read(back) >= 0) {
            // read until the whole line is back, as echo_client2.c does
        }
        return new String(back.array(), 0, back.position(), StandardCharsets.UTF_8);
    }

    private static String readToEnd(SocketChannel client) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(256);
        while (client.read(buffer.clear()) >= 0) {
            received.write(buffer.array(), 0, buffer.position());
        }
        return received.toString(StandardCharsets.UTF_8);
    }
}
