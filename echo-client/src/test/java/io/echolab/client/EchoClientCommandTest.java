package io.echolab.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import io.echolab.common.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class EchoClientCommandTest {

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(byte[] stdin, String... args) {
        CommandLine cmd = EchoClientCommand.newCommandLine(new ByteArrayInputStream(stdin), stdout, false);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    private int run(String stdin, String... args) {
        return run(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    private String transcript() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theArticlesSessionPrintsTheCProgramsLines() throws Exception {
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO)) {
            assertEquals(ExitCode.OK, run("aa\nq\n", "--hold", "0", "127.0.0.1", String.valueOf(server.port())));
        }
        // echo_client2.c with stdin piped: the prompt is not followed by the typed line, the terminal is not echoing
        assertEquals("connect server success...\n"
                + "Input(Q to quit): Message from server: aa\n"
                + "Input(Q to quit): quit...\n"
                + "close socket and sleep 0 seconds now...\n", transcript());
    }

    @Test
    void endOfInputQuitsLikeQ() throws Exception {
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO)) {
            assertEquals(ExitCode.OK, run("", "--hold", "0", "127.0.0.1", String.valueOf(server.port())));
        }
        assertEquals("connect server success...\nInput(Q to quit): quit...\nclose socket and sleep 0 seconds now...\n",
                transcript());
    }

    @Test
    void sendLinesReplaceStandardInput() throws Exception {
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO)) {
            assertEquals(ExitCode.OK, run("ignored\n", "--send", "one", "--send", "two", "--hold", "0",
                    "127.0.0.1", String.valueOf(server.port())));
        }
        assertTrue(transcript().contains("Message from server: one\nInput(Q to quit): Message from server: two\n"),
                transcript());
        assertFalse(transcript().contains("ignored"), "standard input must not be read when --send is given");
    }

    @Test
    void aLongBinaryLineComesBackWhole() throws Exception {
        byte[] line = new byte[300_000];
        new Random(4).nextBytes(line);
        for (int i = 0; i < line.length; i++) {
            if (line[i] == '\n') {
                line[i] = 0;
            }
        }
        line[line.length - 1] = '\n';
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO)) {
            assertEquals(ExitCode.OK, run(line, "--hold", "0", "127.0.0.1", String.valueOf(server.port())));
        }
        byte[] prefix = "connect server success...\nInput(Q to quit): Message from server: ".getBytes(StandardCharsets.UTF_8);
        byte[] all = stdout.toByteArray();
        byte[] echoed = java.util.Arrays.copyOfRange(all, prefix.length, prefix.length + line.length);
        assertArrayEquals(line, echoed, "every byte of the line should come back, in one message");
    }

    @Test
    void refusedConnectionIsOneLineAndUnavailable() throws IOException {
        int closedPort;
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        assertEquals(ExitCode.UNAVAILABLE, run("", "127.0.0.1", String.valueOf(closedPort)));
        List<String> lines = err.toString().lines().toList();
        assertEquals("connect socket failed: Connection refused", lines.get(0), "echo_client2.c's line first");
        assertTrue(lines.get(1).startsWith("hint: nothing listens on 127.0.0.1:" + closedPort), "then the address: " + lines);
        assertEquals(2, lines.size(), err.toString());
    }

    @Test
    void anUnknownHostIsItsOwnExitCodeAndOneLine() {
        assertEquals(ExitCode.NO_HOST, run("", "no.such.host.invalid", "11233"));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("unknown host 'no.such.host.invalid'"), err.toString());
    }

    @Test
    void serverClosingMidEchoIsServerClosed() throws Exception {
        LoopbackPeer.Behaviour readThenClose = connection -> connection.read(ByteBuffer.allocate(64));
        try (LoopbackPeer server = new LoopbackPeer(readThenClose)) {
            assertEquals(ExitCode.IO, run("aa\n", "--hold", "0", "127.0.0.1", String.valueOf(server.port())));
        }
        assertEquals("server closed" + System.lineSeparator(), err.toString());
    }

    @Test
    void serverResetIsAReadFailure() throws Exception {
        LoopbackPeer.Behaviour readThenReset = connection -> {
            connection.read(ByteBuffer.allocate(64));
            connection.setOption(StandardSocketOptions.SO_LINGER, 0);
        };
        try (LoopbackPeer server = new LoopbackPeer(readThenReset)) {
            assertEquals(ExitCode.IO, run("aa\n", "--hold", "0", "127.0.0.1", String.valueOf(server.port())));
        }
        assertEquals("read from server failed: Connection reset by peer" + System.lineSeparator(), err.toString());
    }

    @Test
    void halfCloseReadsWhatTheServerSendsAfterOurFin() throws Exception {
        LoopbackPeer.Behaviour farewell = connection -> {
            LoopbackPeer.ECHO.handle(connection);
            connection.write(ByteBuffer.wrap("bye\n".getBytes(StandardCharsets.UTF_8)));
        };
        try (LoopbackPeer server = new LoopbackPeer(farewell)) {
            assertEquals(ExitCode.OK, run("aa\nq\n", "--half-close", "--hold", "0", "127.0.0.1",
                    String.valueOf(server.port())));
        }
        assertTrue(transcript().endsWith("Input(Q to quit): quit...\n"
                + "shutdown write side, reading until the server closes...\n"
                + "Message from server: bye\n"
                + "server closed\n"
                + "close socket and sleep 0 seconds now...\n"), transcript());
    }

    @Test
    void loadModeCountsWhatItMade() throws Exception {
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO)) {
            assertEquals(ExitCode.OK, run("", "--connections", "25", "127.0.0.1", String.valueOf(server.port())));
        }
        assertTrue(transcript().contains("connections attempted: 25\n"), transcript());
        assertTrue(transcript().contains("connections made:      25\n"), transcript());
        assertTrue(transcript().contains("connections failed:    0\n"), transcript());
    }

    @Test
    void loadModeGroupsFailuresByReason() throws IOException {
        int closedPort;
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        assertEquals(ExitCode.UNAVAILABLE, run("", "--connections", "3", "127.0.0.1", String.valueOf(closedPort)));
        assertTrue(transcript().contains("connections made:      0\n"), transcript());
        assertTrue(transcript().contains("       3  Connection refused\n"), transcript());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1                                  | Missing required parameter: 'PORT'",
        "127.0.0.1 0                                | port 0 is not a server's port",
        "127.0.0.1 65536                            | port 65536 is out of range",
        "--hold=3 127.0.0.1 11233                   | '3' is not a duration",
        "--source-ports=1-2 127.0.0.1 11233         | --source-ports applies only with --connections",
        "--connections=5 --hold=1s 127.0.0.1 11233  | --hold does not apply to --connections",
        "--connections=0 127.0.0.1 11233            | connections must be at least 1",
        "--connections=5 --source-ports=9-2 127.0.0.1 11233 | port range must be FROM-TO",
        "--connections=5 --send=a --send=b 127.0.0.1 11233  | give --send once"})
    void badInputIsAUsageErrorWithAClearMessage(String args, String expected) {
        assertEquals(ExitCode.USAGE, run("", args.trim().split("\\s+")));
        assertEquals(1, err.toString().lines().count(), "one line, no usage dump: " + err);
        assertTrue(err.toString().contains(expected), "the error should say '" + expected + "', was: " + err);
        assertFalse(err.toString().contains("Exception"), "no stack trace: " + err);
    }
}
