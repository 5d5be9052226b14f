package io.echolab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.echolab.common.ExitCode;
import io.echolab.testing.Await;
import io.echolab.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** echo-client as a process: Ctrl-C in each phase ends it at once with 130, quietly; load mode keeps its summary. */
@Timeout(120)
class EchoClientProcessTest {

    private static void assertQuiet(ChildJvm client) {
        assertFalse(client.err().contains("Exception") || client.err().contains("\tat "), "no stack trace: " + client.err());
    }

    @Test
    void ctrlCAtThePromptEndsWith130() throws Exception {
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO);
             ChildJvm client = ChildJvm.start(EchoClientCommand.class, "127.0.0.1", String.valueOf(server.port()))) {
            // Standard input stays open and empty: the client blocks reading it
            Await.until("the prompt", () -> client.out().endsWith("Input(Q to quit): "), client::out);

            client.signal("INT");

            assertEquals(ExitCode.INTERRUPTED, client.awaitExit(20));
            assertEquals("", client.err());
        }
    }

    @Test
    void ctrlCWhileConnectingEndsWith130() throws Exception {
        // A listener whose accept queue is full drops further SYNs: the next connect() waits in SYN_SENT
        try (ServerSocketChannel full = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            full.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            List<SocketChannel> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    SocketChannel filler = SocketChannel.open(StandardProtocolFamily.INET);
                    filler.configureBlocking(false);
                    filler.connect(full.getLocalAddress());
                    queued.add(filler);
                }
                int port = ((InetSocketAddress) full.getLocalAddress()).getPort();
                Await.until("the fillers past the queue in SYN_SENT", () -> synSent(port) >= 2, () -> synSent(port));
                int fillers = synSent(port);
                try (ChildJvm client = ChildJvm.start(EchoClientCommand.class, "127.0.0.1", String.valueOf(port))) {
                    Await.until("the client in SYN_SENT too", () -> synSent(port) > fillers, () -> synSent(port));

                    client.signal("INT");

                    assertEquals(ExitCode.INTERRUPTED, client.awaitExit(20));
                    assertEquals("", client.out(), "connect() never returned");
                    assertQuiet(client);
                }
            } finally {
                for (SocketChannel filler : queued) {
                    filler.close();
                }
            }
        }
    }

    @Test
    void ctrlCMidEchoEndsWith130() throws Exception {
        try (LoopbackPeer silent = new LoopbackPeer(LoopbackPeer.SILENT);
             ChildJvm client = ChildJvm.start(EchoClientCommand.class, "--send", "aa", "127.0.0.1",
                     String.valueOf(silent.port()))) {
            Await.until("the line sent", () -> silent.accepted() == 1 && client.out().endsWith("Input(Q to quit): "),
                    client::out);

            client.signal("INT");

            assertEquals(ExitCode.INTERRUPTED, client.awaitExit(20));
            assertQuiet(client);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalDuringTheHoldEndsIt(String signal) throws Exception {
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO);
             ChildJvm client = ChildJvm.start(EchoClientCommand.class, "--send", "aa", "127.0.0.1",
                     String.valueOf(server.port()))) {
            Await.until("the hold", () -> client.out().contains("close socket and sleep 180 seconds now..."), client::out);

            client.signal(signal);

            assertEquals(signal.equals("INT") ? ExitCode.INTERRUPTED : ExitCode.TERMINATED, client.awaitExit(20));
            assertQuiet(client);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalInLoadModePrintsTheSummarySoFar(String signal) throws Exception {
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO);
             ChildJvm client = ChildJvm.start(EchoClientCommand.class, "--connections", "10000000", "--max-time", "10m",
                     "127.0.0.1", String.valueOf(server.port()))) {
            Await.until("a hundred connections made", () -> server.accepted() >= 100, () -> server.accepted());

            client.signal(signal);

            assertEquals(signal.equals("INT") ? ExitCode.INTERRUPTED : ExitCode.TERMINATED, client.awaitExit(20));
            String summary = client.out();
            assertTrue(summary.contains("interrupted:           the run was stopped; this is what it did so far\n"), summary);
            long made = summary.lines().filter(l -> l.startsWith("connections made:")).mapToLong(
                    l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElse(-1);
            assertTrue(made >= 100, "what was made before the signal is counted: " + summary);
            assertTrue(summary.contains("connections failed:    0\n"), "the connection cut short is no failure: " + summary);
            assertQuiet(client);
        }
    }

    /** How many sockets wait in SYN_SENT for the port, as ss shows them. */
    private static int synSent(int port) {
        try {
            Process ss = new ProcessBuilder("ss", "-Htan", "state", "syn-sent", "dport = :" + port).start();
            String rows = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ss.waitFor();
            return (int) rows.lines().filter(row -> !row.isBlank()).count();
        } catch (IOException e) {
            throw new IllegalStateException("ss is needed (iproute2)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
