package io.echolab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

import io.echolab.common.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** Load mode against servers that misbehave: every connect and echo bounded, the summary honest. */
@Timeout(60)
class LoadModeTest {

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final StringWriter err = new StringWriter();

    private int run(boolean terminal, String... args) {
        CommandLine cmd = EchoClientCommand.newCommandLine(new ByteArrayInputStream(new byte[0]), stdout, terminal);
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    private String summary() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    @Test
    void maxTimeCutsAnEchoThatNeverComes() throws Exception {
        try (LoopbackPeer silent = new LoopbackPeer(LoopbackPeer.SILENT)) {
            // --timeout alone would wait 60 s: --max-time bounds the echo in flight, not only the next connection
            assertEquals(ExitCode.UNAVAILABLE, run(false, "--connections", "3", "--timeout", "60s", "--max-time", "300ms",
                    "127.0.0.1", String.valueOf(silent.port())));
        }
        assertTrue(summary().contains("connections attempted: 1\n"), summary());
        assertTrue(summary().contains("       1  cut short by --max-time\n"), summary());
        assertTrue(summary().contains("stopped by --max-time: 0.3 s\n"), summary());
    }

    @Test
    void aWriteTheServerNeverReadsIsBoundedByTheTimeout() throws Exception {
        // The server accepts and never reads: a line bigger than both sockets' buffers blocks the write itself
        String big = "x".repeat(16 * 1024 * 1024);
        LoopbackPeer.Behaviour deaf = connection -> {
            while (connection.isOpen() && connection.read(ByteBuffer.allocate(0)) >= 0) {
                LockSupport.parkNanos(1_000_000_000L);
            }
        };
        try (LoopbackPeer server = new LoopbackPeer(deaf)) {
            assertEquals(ExitCode.UNAVAILABLE, run(false, "--connections", "1", "--timeout", "300ms", "--send", big,
                    "127.0.0.1", String.valueOf(server.port())), err::toString);
        }
        assertTrue(summary().contains("       1  echo timed out (0.3 s)\n"), summary());
    }

    @Test
    void aServerThatServesOneClientAtATimeIsNamedInAHint() throws Exception {
        // As echo_server2.c: the first client is served, then the server holds it (its close delay) while the
        // kernel queues the others: their connect succeeds, their echo never comes
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 5);
            Thread server = new Thread(() -> {
                try (SocketChannel first = listener.accept()) {
                    LoopbackPeer.ECHO.handle(first);
                    LockSupport.parkNanos(Long.MAX_VALUE); // the close delay; the test's end interrupts it
                } catch (IOException e) {
                    // the test is over
                }
            }, "one-at-a-time");
            server.setDaemon(true);
            server.start();
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            assertEquals(ExitCode.UNAVAILABLE, run(false, "--connections", "3", "--timeout", "200ms", "127.0.0.1",
                    String.valueOf(port)));
            server.interrupt();
        }
        assertTrue(summary().contains("connections made:      1\n"), summary());
        assertTrue(summary().contains("       2  echo timed out (0.2 s)\n"), summary());
        assertTrue(summary().contains("hint: 2 connection(s) got no echo within 0.2 s though the kernel accepted them: "
                + "the server seems to serve one client at a time"), summary());
    }

    @Test
    void aBusyServersLineIsTheReason() throws Exception {
        LoopbackPeer.Behaviour busy = connection ->
                connection.write(ByteBuffer.wrap("server busy: 1 clients connected (--max-clients 1), try again later\n"
                        .getBytes(StandardCharsets.UTF_8)));
        try (LoopbackPeer server = new LoopbackPeer(busy)) {
            assertEquals(ExitCode.UNAVAILABLE, run(false, "--connections", "2", "127.0.0.1", String.valueOf(server.port())));
        }
        assertTrue(summary().contains("       2  server said: server busy: 1 clients connected (--max-clients 1), "
                + "try again later\n"), summary());
    }

    @Test
    void anEchoThatDiffersIsAFailure() throws Exception {
        LoopbackPeer.Behaviour liar = connection -> {
            ByteBuffer got = ByteBuffer.allocate(5);
            while (got.hasRemaining() && connection.read(got) >= 0) {
                // the whole line
            }
            connection.write(ByteBuffer.wrap("pong\n".getBytes(StandardCharsets.UTF_8)));
        };
        try (LoopbackPeer server = new LoopbackPeer(liar)) {
            assertEquals(ExitCode.UNAVAILABLE, run(false, "--connections", "2", "127.0.0.1", String.valueOf(server.port())));
        }
        assertTrue(summary().contains("       2  echo differs from what was sent\n"), summary());
    }

    @Test
    void theProgressLineIsOnlyForATerminal() throws Exception {
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO)) {
            assertEquals(ExitCode.OK, run(false, "--connections", "5", "127.0.0.1", String.valueOf(server.port())));
            assertEquals("", err.toString(), "standard error is not a terminal: nothing there");
            assertEquals(ExitCode.OK, run(true, "--connections", "5", "127.0.0.1", String.valueOf(server.port())));
        }
        assertTrue(err.toString().contains("\r5/5 connections, 0 failed"), "on a terminal, the progress line: " + err);
        assertFalse(summary().contains("connections, 0 failed"), "never among the summary on standard output");
    }
}
