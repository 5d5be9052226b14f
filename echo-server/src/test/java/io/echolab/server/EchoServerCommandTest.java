package io.echolab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import io.echolab.common.ExitCode;
import io.echolab.common.SocketTuning;
import io.echolab.common.Transcript;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class EchoServerCommandTest {

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = EchoServerCommand.newCommandLine(stdout);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @Test
    void helpNamesEveryCloseBehaviour() {
        assertEquals(ExitCode.OK, run("--help"));
        for (String option : new String[] {"--close-delay", "--linger", "--close-after", "--no-close", "--farewell",
                "--keepalive", "--concurrent", "--backlog", "--clients", "--bind", "--timestamps", "--reuse-address"}) {
            assertTrue(out.toString().contains(option), "--help should document " + option);
        }
    }

    @Test
    void versionNamesTheProgram() {
        assertEquals(ExitCode.OK, run("--version"));
        assertTrue(out.toString().startsWith("echo-server "), out.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "abc                          | 'abc' is not a port number",
        "70000                        | port 70000 is out of range",
        "--close-delay=10x 11233      | '10x' is not a duration",
        "--keepalive=2s 11233         | is not IDLE/INTERVAL/COUNT",
        "--backlog=0 11233            | backlog must be at least 1",
        "--clients=-1 11233           | clients must be 0 (forever) or more",
        "--close-after=0 11233        | close-after must be at least 1",
        "--linger=-1 11233            | linger must be from 0 to 65535",
        "--no-close --close-after=1 1 | --no-close cannot be combined",
        "--frobnicate 11233           | Unknown option: '--frobnicate'",
        "-1                           | port -1 is out of range",
        "''                           | '' is not a port number",
        "--close-delay=-1s 11233      | '-1s' is not a duration",
        "--close-delay=999999999999h 1| is too long a duration",
        "--idle-timeout=0 11233       | idle-timeout must be positive",
        "--max-line=-5 11233          | max-line must be 0 (no limit) or more",
        "--max-clients=5 11233        | --max-clients applies only with --concurrent",
        "--concurrent --max-clients=0 1 | max-clients must be at least 1",
        "--concurrent --max-clients=999999999 1 | needs more descriptors than the open-file limit",
        "--clients=99999999999 11233  | Invalid value for option '--clients'",
        "--bind= 11233                | is not a host name or address"})
    void badInputIsAUsageErrorWithAClearMessage(String args, String expected) {
        assertEquals(ExitCode.USAGE, run(args.trim().split("\\s+")));
        assertEquals(1, err.toString().lines().count(), "one line, no usage dump: " + err);
        assertTrue(err.toString().contains(expected), "the error should say '" + expected + "', was: " + err);
        assertTrue(!err.toString().contains("Exception"), "no stack trace: " + err);
    }

    @Test
    void anUnknownBindHostIsItsOwnExitCode() {
        assertEquals(ExitCode.NO_HOST, run("--bind", "no.such.host.invalid", "0"));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("unknown host 'no.such.host.invalid'"), err.toString());
    }

    @Test
    void bindingAnAddressTheHostLacksNamesIt() {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never this host's
        assertEquals(ExitCode.UNAVAILABLE, run("--bind", "192.0.2.1", "0"));
        List<String> lines = err.toString().lines().toList();
        assertEquals(List.of("bind socket failed: Cannot assign requested address",
                "hint: 192.0.2.1 is not an address of this host (ip -brief address)"), lines);
    }

    @Test
    void theHelpExamplesFitIn80Columns() {
        CommandLine cmd = EchoServerCommand.newCommandLine(stdout);
        cmd.setUsageHelpAutoWidth(false);
        cmd.setUsageHelpWidth(80);
        String help = cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
        help.lines().forEach(line -> assertTrue(line.length() <= 80, "wider than 80 columns: '" + line + "'"));
        assertTrue(help.contains("  echo-server --concurrent --max-clients 100 --clients 0 --close-delay 0 11233\n"),
                "each example's command on a line of its own: " + help);
    }

    @Test
    void portInUseIsOneLineAndItsOwnExitCode() throws IOException {
        try (ServerSocketChannel taken = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            assertEquals(ExitCode.ADDRESS_IN_USE, run("--bind", "127.0.0.1", String.valueOf(port)));
            List<String> lines = err.toString().lines().toList();
            assertEquals("bind socket failed: Address already in use", lines.get(0), "echo_server2.c's line first");
            assertTrue(lines.get(1).startsWith("hint: 127.0.0.1:" + port + " is taken"), "then a hint naming it: " + lines);
            assertEquals(2, lines.size(), err.toString());
        }
    }

    /**
     * LAB.md's S19 on loopback: a connection the server closed first leaves a TIME_WAIT on the server's port;
     * echo_server2.c sets no SO_REUSEADDR, so its next bind() there fails for as long as that lasts (60 s);
     * --reuse-address binds beside it. The first server here is a plain JDK server socket, which has
     * SO_REUSEADDR on (the JDK sets it on Linux), and so does its TIME_WAIT: the kernel lets a socket bind
     * beside a TIME_WAIT only when both set it (inet_bind_conflict()). The echo-server must turn it off
     * itself to fail as the C program does. (The Docker IT S19 shows the case of a first server without it.)
     */
    @Test
    void aTimeWaitOnThePortStopsARestartUnlessReuseAddress() throws Exception {
        int port;
        try (ServerSocketChannel first = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            first.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) first.getLocalAddress()).getPort();
            try (SocketChannel client = SocketChannel.open(first.getLocalAddress())) {
                first.accept().close(); // the server closes first: its side goes to TIME_WAIT once the client closes
                assertEquals(-1, client.read(ByteBuffer.allocate(1)), "the client reads the server's FIN");
            }
        }
        String timeWait = ss("-tanH", "state", "time-wait", "( sport = :" + port + " )");
        assertTrue(timeWait.contains("127.0.0.1:" + port), "the server's side is in TIME_WAIT: '" + timeWait + "'");

        assertEquals(ExitCode.ADDRESS_IN_USE, run("--bind", "127.0.0.1", String.valueOf(port)));
        List<String> lines = err.toString().lines().toList();
        assertEquals("bind socket failed: Address already in use", lines.get(0), "as echo_server2.c fails: " + lines);
        assertTrue(lines.get(1).contains("--reuse-address"), "the hint names the way out: " + lines);

        ServerOptions reuse = new ServerOptions(InetAddress.getByName("127.0.0.1"), port, true, 5, 1, Duration.ZERO,
                OptionalInt.empty(), false, Optional.empty(), false, ServerOptions.DEFAULT_MAX_CLIENTS, 0, Optional.empty(),
                SocketTuning.DEFAULTS);
        EchoServer server = new EchoServer(reuse, new Transcript(stdout, false, Clock.systemUTC()));
        assertEquals(port, server.listen().getPort(), "with SO_REUSEADDR the bind succeeds beside the TIME_WAIT");
        server.close();
    }

    private static String ss(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ss"));
        command.addAll(List.of(args));
        Process ss = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ss.waitFor(), out);
        return out;
    }
}
