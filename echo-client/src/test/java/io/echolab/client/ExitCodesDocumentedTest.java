package io.echolab.client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.echolab.common.Situation;
import io.echolab.testing.Await;
import io.echolab.testing.DocumentedExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The exit codes as echo-client really ends with them, as ExitMapper decides them, as --help lists them and
 * as the README's table documents them: all four must agree.
 */
@Timeout(60)
class ExitCodesDocumentedTest extends DocumentedExitCodes {

    @Override
    protected CommandLine newCommandLine() {
        return EchoClientCommand.newCommandLine(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), false);
    }

    @Test
    void whatTheClientEndsWithIsTheMappersCodeListedInHelpAndTheReadme() throws Exception {
        int closed = closedPort();
        assertEnds(Situation.BAD_USAGE, run("--frobnicate", "127.0.0.1", "1"));
        assertEnds(Situation.UNKNOWN_HOST, run("no.such.host.invalid", "11233"));
        assertEnds(Situation.REFUSED, run("--hold", "0", "127.0.0.1", String.valueOf(closed)));
        assertEnds(Situation.UNAVAILABLE, run("--connections", "2", "127.0.0.1", String.valueOf(closed)));
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO)) {
            assertEnds(Situation.DONE, run("--send", "aa", "--hold", "0", "127.0.0.1", String.valueOf(server.port())));
            try (ServerSocketChannel taken = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
                taken.bind(new InetSocketAddress("0.0.0.0", 0));
                int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
                String range = port + "-" + port;
                // Every connection's source port is taken: each one fails, and the load mode's code says some failed
                assertEnds(Situation.UNAVAILABLE, run("--connections", "1", "--source-ports", range, "127.0.0.1",
                        String.valueOf(server.port())));
            }
        }
        LoopbackPeer.Behaviour readThenClose = connection -> connection.read(ByteBuffer.allocate(64));
        try (LoopbackPeer server = new LoopbackPeer(readThenClose)) {
            assertEnds(Situation.CONNECTION_FAILED, run("--send", "aa", "--hold", "0", "127.0.0.1",
                    String.valueOf(server.port())));
        }
        assertEnds(Situation.INTERRUPTED, interruptedDuringTheHold());
    }

    private static int interruptedDuringTheHold() throws Exception {
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String port = String.valueOf(server.port());
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            Thread thread = new Thread(() -> exit.complete(EchoClientCommand.newCommandLine(
                    new ByteArrayInputStream(new byte[0]), out, false).execute("--send", "aa", "127.0.0.1", port)),
                    "client");
            thread.start();
            Await.until("the hold", () -> text(out).contains("sleep 180 seconds"), () -> text(out));
            thread.interrupt();
            return exit.get(20, TimeUnit.SECONDS);
        }
    }

    private static String text(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int closedPort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }
}
