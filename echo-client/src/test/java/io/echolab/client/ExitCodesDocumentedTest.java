package io.echolab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.echolab.common.Situation;
import io.echolab.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The exit codes as echo-client really ends with them, as ExitMapper decides them, as --help lists them and
 * as the README's table documents them: all four must agree.
 */
@Timeout(60)
class ExitCodesDocumentedTest {

    private static final Pattern ROW = Pattern.compile("^\\| (\\d+) \\| (.+) \\|$");

    /** The README's exit-code table: code to meaning. */
    private static Map<Integer, String> readmeTable() throws IOException {
        Map<Integer, String> table = new TreeMap<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(Path.of("..", "README.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("#")) {
                inSection = line.equals("### Exit codes");
                continue;
            }
            Matcher m = ROW.matcher(line);
            if (inSection && m.matches()) {
                table.put(Integer.parseInt(m.group(1)), m.group(2));
            }
        }
        return table;
    }

    private static Map<Integer, String> helpList() {
        CommandLine cmd = EchoClientCommand.newCommandLine(new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), false);
        return cmd.getCommandSpec().usageMessage().exitCodeList().entrySet().stream()
                .collect(Collectors.toMap(e -> Integer.parseInt(e.getKey().trim()), Map.Entry::getValue, (a, b) -> a,
                        TreeMap::new));
    }

    @Test
    void theReadmeDocumentsEveryCodeTheMapperGivesAndNoOther() throws IOException {
        assertEquals(Arrays.stream(Situation.values()).map(Situation::exitCode).collect(Collectors.toCollection(TreeSet::new)),
                readmeTable().keySet(), "README's table: " + readmeTable());
    }

    @Test
    void helpListsOnlyDocumentedCodes() throws IOException {
        Map<Integer, String> readme = readmeTable();
        for (int code : helpList().keySet()) {
            assertTrue(readme.containsKey(code), "--help lists " + code + ", the README does not: " + readme);
        }
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

    private void assertEnds(Situation situation, int exitCode) throws IOException {
        assertEquals(situation.exitCode(), exitCode, "the mapper's code for " + situation);
        assertTrue(helpList().containsKey(exitCode), "--help should list " + exitCode + ": " + helpList());
        assertTrue(readmeTable().containsKey(exitCode), "the README should list " + exitCode);
    }

    private static int run(String... args) {
        CommandLine cmd = EchoClientCommand.newCommandLine(new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), false);
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));
        return cmd.execute(args);
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
