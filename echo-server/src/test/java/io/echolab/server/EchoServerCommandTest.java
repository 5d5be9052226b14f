package io.echolab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.List;

import io.echolab.common.ExitCode;
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
                "--keepalive", "--concurrent", "--backlog", "--clients", "--bind", "--timestamps"}) {
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
}
