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
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    @Test
    void anIpv6ClientAgainstTheIpv4OnlyDefaultServerIsToldWhy() throws IOException {
        // The default server binds 0.0.0.0: IPv4 only. On the same port, ::1 finds nothing.
        try (ServerSocketChannel ipv4Only = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            ipv4Only.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = ((InetSocketAddress) ipv4Only.getLocalAddress()).getPort();
            assertEquals(ExitCode.UNAVAILABLE, run("", "::1", String.valueOf(port)));
            List<String> lines = err.toString().lines().toList();
            assertEquals("connect socket failed: Connection refused", lines.get(0));
            assertTrue(lines.get(1).startsWith("hint: nothing listens on [::1]:" + port + " (IPv6); echo-server "
                    + "listens on 0.0.0.0, IPv4 only"), lines.get(1));
        }
    }

    @Test
    void tenMegabytesWithoutANewlineComeBackWhole() throws Exception {
        byte[] line = new byte[10 * 1024 * 1024];
        new Random(10).nextBytes(line);
        for (int i = 0; i < line.length; i++) {
            if (line[i] == '\n') {
                line[i] = 'n';
            }
        }
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO)) {
            assertEquals(ExitCode.OK, run(line, "--hold", "0", "127.0.0.1", String.valueOf(server.port())));
        }
        byte[] expected = concat("connect server success...\nInput(Q to quit): Message from server: ", line,
                "\nInput(Q to quit): quit...\nclose socket and sleep 0 seconds now...\n");
        assertArrayEquals(expected, stdout.toByteArray(), "every byte back, the unfinished line ended on screen");
    }

    @Test
    void nulAndInvalidUtf8AreEchoedByteForByte() throws Exception {
        byte[] line = {'a', 0, 'b', (byte) 0xff, (byte) 0xc3, (byte) 0x28, (byte) 0xed, (byte) 0xa0, (byte) 0x80, '\n'};
        try (LoopbackPeer server = new LoopbackPeer(LoopbackPeer.ECHO)) {
            assertEquals(ExitCode.OK, run(line, "--hold", "0", "127.0.0.1", String.valueOf(server.port())));
        }
        byte[] expected = concat("connect server success...\nInput(Q to quit): Message from server: ", line,
                "Input(Q to quit): quit...\nclose socket and sleep 0 seconds now...\n");
        assertArrayEquals(expected, stdout.toByteArray());
    }

    @Test
    void whatCameBackBeforeTheServerVanishedIsKept() throws Exception {
        LoopbackPeer.Behaviour halfThenGone = connection -> {
            ByteBuffer got = ByteBuffer.allocate(6);
            while (got.hasRemaining() && connection.read(got) >= 0) {
                // the whole line first
            }
            connection.write(ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8)));
        };
        try (LoopbackPeer server = new LoopbackPeer(halfThenGone)) {
            assertEquals(ExitCode.IO, run("abcde\n", "--hold", "0", "127.0.0.1", String.valueOf(server.port())));
        }
        assertEquals("connect server success...\nInput(Q to quit): Message from server: abc\n", transcript(),
                "the half that came back is printed, and the line ended");
        assertEquals("server closed" + System.lineSeparator(), err.toString());
    }

    @Test
    void timestampsSayWhenTheEchoArrivedNotWhenThePromptAppeared() throws Exception {
        LoopbackPeer.Behaviour slowEcho = connection -> {
            ByteBuffer got = ByteBuffer.allocate(3);
            while (got.hasRemaining() && connection.read(got) >= 0) {
                // the whole line
            }
            try {
                Thread.sleep(300); // the server's own delay: the gap the stamps must show
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            connection.write(got.flip());
            LoopbackPeer.ECHO.handle(connection);
        };
        try (LoopbackPeer server = new LoopbackPeer(slowEcho)) {
            assertEquals(ExitCode.OK, run("aa\n", "--timestamps", "--hold", "0", "127.0.0.1",
                    String.valueOf(server.port())));
        }
        Matcher m = Pattern.compile("(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) Input\\(Q to quit\\): "
                + "(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) Message from server: aa\n").matcher(transcript());
        assertTrue(m.find(), "the echo has a stamp of its own after the prompt's: " + transcript());
        long gap = Duration.between(LocalTime.parse(m.group(1)), LocalTime.parse(m.group(2))).toMillis();
        assertTrue(gap >= 299, "the echo's stamp is when it arrived, 300 ms after the prompt, was " + gap + " ms");
        assertTrue(Pattern.compile("\\d{3} Input\\(Q to quit\\): \\d\\d:\\d\\d:\\d\\d\\.\\d{3} quit\\.\\.\\.\n")
                .matcher(transcript()).find(), "quit... stamped too: " + transcript());
    }

    @Test
    void theHelpFitsIn80Columns() {
        CommandLine cmd = EchoClientCommand.newCommandLine(new ByteArrayInputStream(new byte[0]), stdout, false);
        cmd.setUsageHelpAutoWidth(false);
        cmd.setUsageHelpWidth(80);
        String help = cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
        help.lines().forEach(line -> assertTrue(line.length() <= 80, "wider than 80 columns: '" + line + "'"));
        assertTrue(help.contains("\n  echo-client --send aa --hold 70s 127.0.0.1 11233\n      send aa, quit, watch the TIME_WAIT\n"),
                "an example's command whole on its line, its meaning below: " + help);
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(middle, 0, all, a.length, middle.length);
        System.arraycopy(c, 0, all, a.length + middle.length, c.length);
        return all;
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
        "--connections=5 --send=a --send=b 127.0.0.1 11233  | give --send once",
        "--connections=-5 127.0.0.1 11233           | connections must be at least 1",
        "--connections=99999999999 127.0.0.1 11233  | Invalid value for option '--connections'",
        "--connections=5 --timeout=0 127.0.0.1 11233 | timeout must be from 1ms",
        "--connections=5 --max-time=0 127.0.0.1 11233 | max-time must be positive",
        "--hold=999999999999h 127.0.0.1 11233       | is too long a duration",
        "--hold=-1s 127.0.0.1 11233                 | '-1s' is not a duration",
        "127.0.0.1 -1                               | port -1 is out of range",
        "127.0.0.1 eleven                           | 'eleven' is not a port number"})
    void badInputIsAUsageErrorWithAClearMessage(String args, String expected) {
        assertEquals(ExitCode.USAGE, run("", args.trim().split("\\s+")));
        assertEquals(1, err.toString().lines().count(), "one line, no usage dump: " + err);
        assertTrue(err.toString().contains(expected), "the error should say '" + expected + "', was: " + err);
        assertFalse(err.toString().contains("Exception"), "no stack trace: " + err);
    }
}
