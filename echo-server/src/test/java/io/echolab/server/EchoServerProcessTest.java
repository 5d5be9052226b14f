package io.echolab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.echolab.common.ExitCode;
import io.echolab.testing.Await;
import io.echolab.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** echo-server as a process: Ctrl-C and SIGTERM in each phase end it at once, every client socket closed. */
@Timeout(120)
class EchoServerProcessTest {

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private static int port(ChildJvm server) {
        Await.until("the server listening", () -> LISTENING.matcher(server.out()).find(), server::out);
        Matcher m = LISTENING.matcher(server.out());
        m.find();
        return Integer.parseInt(m.group(1));
    }

    private static SocketChannel connect(int port) throws IOException {
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
        client.connect(new InetSocketAddress("127.0.0.1", port));
        return client;
    }

    private static void assertQuiet(ChildJvm server) {
        assertFalse(server.err().contains("Exception") || server.err().contains("\tat "), "no stack trace: " + server.err());
    }

    @Test
    void ctrlCWhileWaitingToAcceptEndsWith130() throws Exception {
        try (ChildJvm server = ChildJvm.start(EchoServerCommand.class, "--bind", "127.0.0.1", "0")) {
            port(server);
            server.signal("INT");
            assertEquals(ExitCode.INTERRUPTED, server.awaitExit(20), server.err());
            assertEquals("", server.err());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalMidEchoClosesTheClientsSocket(String signal) throws Exception {
        try (ChildJvm server = ChildJvm.start(EchoServerCommand.class, "--concurrent", "--bind", "127.0.0.1", "0");
             SocketChannel client = connect(port(server))) {
            client.write(ByteBuffer.wrap("aa\n".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer echo = ByteBuffer.allocate(3);
            while (echo.hasRemaining() && client.read(echo) >= 0) {
                // the whole echo, so the server is mid-session, not mid-accept
            }

            server.signal(signal);

            assertEquals(signal.equals("INT") ? ExitCode.INTERRUPTED : ExitCode.TERMINATED, server.awaitExit(20));
            assertEquals(-1, client.read(ByteBuffer.allocate(8)), "the server closed the client's socket");
            assertQuiet(server);
        }
    }

    @Test
    void ctrlCDuringTheCloseDelayClosesAtOnce() throws Exception {
        try (ChildJvm server = ChildJvm.start(EchoServerCommand.class, "--close-delay", "1h", "--bind", "127.0.0.1", "0");
             SocketChannel client = connect(port(server))) {
            client.shutdownOutput();
            Await.until("the close delay", () -> server.out().contains("server sleep 3600 seconds"), server::out);

            server.signal("INT");

            assertEquals(ExitCode.INTERRUPTED, server.awaitExit(20));
            assertEquals(-1, client.read(ByteBuffer.allocate(8)), "closed without waiting the hour");
            assertQuiet(server);
        }
    }

    @Test
    void ctrlCWhileHoldingLeakedSocketsClosesThem() throws Exception {
        try (ChildJvm server = ChildJvm.start(EchoServerCommand.class, "--no-close", "--clients", "1", "--bind",
                "127.0.0.1", "0");
             SocketChannel client = connect(port(server))) {
            client.shutdownOutput();
            Await.until("the server holding the socket", () -> server.out().contains("holding 1 unclosed"), server::out);

            server.signal("INT");

            assertEquals(ExitCode.INTERRUPTED, server.awaitExit(20));
            assertEquals(-1, client.read(ByteBuffer.allocate(8)), "the leaked socket is closed at last");
            assertQuiet(server);
        }
    }
}
