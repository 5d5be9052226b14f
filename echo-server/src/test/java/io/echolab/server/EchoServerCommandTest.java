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
        "--frobnicate 11233           | Unknown option: '--frobnicate'"})
    void badInputIsAUsageErrorWithAClearMessage(String args, String expected) {
        assertEquals(ExitCode.USAGE, run(args.trim().split("\\s+")));
        assertEquals(1, err.toString().lines().count(), "one line, no usage dump: " + err);
        assertTrue(err.toString().contains(expected), "the error should say '" + expected + "', was: " + err);
        assertTrue(!err.toString().contains("Exception"), "no stack trace: " + err);
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
