package io.echolab.server;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.echolab.common.Situation;
import io.echolab.testing.Await;
import io.echolab.testing.DocumentedExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The exit codes as echo-server really ends with them, as ExitMapper decides them, as --help lists them and
 * as the README's table documents them: all four must agree.
 */
@Timeout(60)
class ExitCodesDocumentedTest extends DocumentedExitCodes {

    @Override
    protected CommandLine newCommandLine() {
        return EchoServerCommand.newCommandLine(new ByteArrayOutputStream());
    }

    @Test
    void whatTheServerEndsWithIsTheMappersCodeListedInHelpAndTheReadme() throws Exception {
        assertEnds(Situation.BAD_USAGE, run("--frobnicate", "0"));
        assertEnds(Situation.UNKNOWN_HOST, run("--bind", "no.such.host.invalid", "0"));
        assertEnds(Situation.ADDRESS_NOT_AVAILABLE, run("--bind", "192.0.2.1", "0"));
        try (ServerSocketChannel taken = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            assertEnds(Situation.ADDRESS_IN_USE, run("--bind", "127.0.0.1", String.valueOf(port)));
        }
        assertEnds(Situation.DONE, served());
        assertEnds(Situation.INTERRUPTED, interrupted());
    }

    /** A server for one client, and that client. */
    private static int served() throws Exception {
        OutputWatch out = new OutputWatch();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            CommandLine cmd = EchoServerCommand.newCommandLine(out);
            return cmd.execute("--clients", "1", "--close-delay", "0", "--bind", "127.0.0.1", "0");
        });
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
            client.connect(new InetSocketAddress("127.0.0.1", out.port()));
        }
        return exit.get(20, TimeUnit.SECONDS);
    }

    /** A server waiting for clients, interrupted as Ctrl-C does. */
    private static int interrupted() throws Exception {
        OutputWatch out = new OutputWatch();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread thread = new Thread(() -> exit.complete(EchoServerCommand.newCommandLine(out)
                .execute("--bind", "127.0.0.1", "0")), "server");
        thread.start();
        out.port();
        thread.interrupt();
        return exit.get(20, TimeUnit.SECONDS);
    }

    /** Standard output a test can wait on for the port the server chose. */
    private static final class OutputWatch extends ByteArrayOutputStream {
        private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

        int port() {
            Await.until("the server listening", () -> LISTENING.matcher(text()).find(), this::text);
            Matcher m = LISTENING.matcher(text());
            m.find();
            return Integer.parseInt(m.group(1));
        }

        synchronized String text() {
            return toString(StandardCharsets.UTF_8);
        }
    }
}
