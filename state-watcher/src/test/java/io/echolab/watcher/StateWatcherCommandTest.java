package io.echolab.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.echolab.common.ExitCode;
import io.echolab.common.Failure;
import io.echolab.common.Situation;
import io.echolab.testing.Await;
import io.echolab.watcher.proc.MalformedProcRowException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command line run in-process, with its output, errors and exit code captured. */
class StateWatcherCommandTest {

    /** One run: exit code, stdout and stderr. */
    private record Run(int exitCode, String out, String err) {

        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Run run(String... args) {
        CommandLine commandLine = StateWatcherCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    @Test
    void help() {
        Run run = run("--help");

        assertEquals(0, run.exitCode());
        assertTrue(run.out().startsWith("Usage: state-watcher"), run.out());
        for (String option : List.of("--port", "--interval", "--duration", "--pid", "--proc-root", "--format",
                "--every-poll", "(default: 10ms", "-p, --owners", "-o, --timers", "--summary", "--summary-every",
                "ss -tan", "csv", "UTC", "--svg", "--ladder")) {
            assertTrue(run.out().contains(option), "help mentions " + option);
        }
        assertEquals("", run.err());
    }

    @Test
    void version() {
        Run run = run("--version");

        assertEquals(0, run.exitCode());
        assertTrue(run.out().matches("state-watcher \\S+\n"), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--port 70000", "--port 0", "--port http", "--interval 5x", "--interval 0", "--duration 0", "--duration soon",
        "--format xml", "--pid abc", "--pid 0", "--bogus", "--every-poll --format jsonl", "--pid 1 --proc-root /tmp",
        "--port", "--format jsonl --timers", "--format timeline --owners", "--format csv --summary",
        "--format csv --every-poll", "--summary-every 0s", "--summary-every often", "--summary --owners",
        "--summary-every 1s --timers", "--summary --every-poll", "--proc-root /tmp --owners",
        "--expect client:ESTABLISHED", "--port 1 --expect FIN_WAIT_2", "--port 1 --expect server:CLOSE_WAIT>2s",
        "--alert-close-wait 0", "--alert-close-wait soon"})
    void badOptionsAreOneLineAndExit2(String args) {
        Run run = run(args.split(" "));

        assertEquals(ExitCode.USAGE, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), "one line: " + run.err());
        assertTrue(run.err().startsWith("state-watcher: "), run.err());
        String bad = args.split(" ")[args.split(" ").length - 1];
        assertTrue(run.err().contains(bad) || run.err().contains(args.split(" ")[0]),
                "the message names the option or the value: " + run.err());
        assertEquals("", run.out());
    }

    @Test
    void missingProcessIsNoInput() {
        Run run = run("--pid", "999999999", "--duration", "1s");

        assertEquals(ExitCode.NO_INPUT, run.exitCode());
        assertEquals(List.of("state-watcher: no process 999999999 (/proc/999999999/net/tcp does not exist)"), run.errLines());
        assertEquals("", run.out());
    }

    @Test
    void malformedRowIsDataErrorNamingTheLine() {
        String root = Fixtures.procRoot("malformed-hex").toString();

        Run run = run("--proc-root", root, "--duration", "1s");

        assertEquals(ExitCode.DATA, run.exitCode());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("state-watcher: " + root + "/net/tcp line 5: bad local address '01O0007F:D88C'"),
                run.err());
        assertEquals("", run.out(), "nothing printed before the bad table");
    }

    @Test
    void missingProcRootIsNoInput() {
        Run run = run("--proc-root", "/nonexistent/proc", "--duration", "1s");

        assertEquals(ExitCode.NO_INPUT, run.exitCode());
        assertEquals(List.of("state-watcher: /nonexistent/proc/net/tcp: No such file or directory"), run.errLines());
    }

    @Test
    void failuresMapToExitCodes() {
        OptionalInt pid = OptionalInt.of(42);

        Failure denied = StateWatcherCommand.failure(new AccessDeniedException("/proc/42/net/tcp"), pid);
        assertEquals(ExitCode.NO_PERMISSION, denied.exitCode());
        assertEquals("/proc/42/net/tcp: Permission denied (process 42 is another user's: try as root)", denied.message());
        // EPERM, as a /proc mounted with hidepid=noaccess answers another user's /proc/PID/net/tcp
        Failure notPermitted = StateWatcherCommand.failure(
                new FileSystemException("/proc/42/net/tcp", null, "Operation not permitted"), pid);
        assertEquals(ExitCode.NO_PERMISSION, notPermitted.exitCode());
        assertEquals("/proc/42/net/tcp: Operation not permitted (process 42 is another user's: try as root)",
                notPermitted.message());
        assertEquals(ExitCode.NO_INPUT,
                StateWatcherCommand.failure(new NoSuchFileException("/proc/42/net/tcp"), pid).exitCode());
        assertEquals(ExitCode.DATA, StateWatcherCommand.failure(
                new MalformedProcRowException("/proc/net/tcp", 2, "x", "truncated row"), OptionalInt.empty()).exitCode());
        Failure io = StateWatcherCommand.failure(new IOException("Input/output error"), OptionalInt.empty());
        assertEquals(Situation.READ_FAILED, io.situation());
        assertEquals(ExitCode.IO, io.exitCode());
        assertEquals("cannot read the table: Input/output error", io.message());
    }

    @Test
    void netstatFormatPrintsTheRowsOnceWhenNothingChanges() throws IOException {
        Run run = run("--proc-root", Fixtures.procRoot("established-v4").toString(), "--duration", "100ms",
                "--interval", "5ms");

        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.outLines();
        assertTrue(lines.get(0).matches(TIMESTAMP), lines.get(0));
        assertEquals(Fixtures.netstatRows("established-v4"), lines.subList(1, lines.size()),
                "one block, the rows as netstat printed them, though the table was read about 20 times");
    }

    @Test
    void everyPollPrintsEveryPoll() {
        Run run = run("--proc-root", Fixtures.procRoot("time-wait").toString(), "--duration", "1s",
                "--interval", "10ms", "--every-poll");

        assertEquals(0, run.exitCode(), run.err());
        long blocks = run.outLines().stream().filter(line -> line.matches(TIMESTAMP)).count();
        assertTrue(blocks >= 2, "a block per poll: " + run.out());
        assertEquals(3 * blocks, run.outLines().size(), "each block: the time, the listener, the TIME_WAIT row");
    }

    @Test
    void portFilterKeepsBothEndsOfThePort() throws IOException {
        Run run = run("--proc-root", Fixtures.procRoot("established-v4").toString(), "--duration", "20ms",
                "--port", "55436");

        List<String> expected = Fixtures.netstatRows("established-v4").stream().filter(row -> row.contains(":55436 ")).toList();
        assertEquals(2, expected.size());
        assertEquals(expected, run.outLines().subList(1, run.outLines().size()));
    }

    @Test
    void timelineFormatPrintsEachConnectionAtExit() {
        Run run = run("--proc-root", Fixtures.procRoot("fin-wait2-close-wait").toString(), "--duration", "50ms",
                "--format", "timeline");

        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.outLines();
        assertTrue(lines.contains("tcp 127.0.0.1:50214 -> 127.0.0.1:46621"), run.out());
        int header = lines.indexOf("tcp 127.0.0.1:50214 -> 127.0.0.1:46621");
        String finWait2 = lines.get(header + 1);
        assertTrue(finWait2.matches("  \\d{2}:\\d{2}:\\d{2}\\.\\d{3}  FIN_WAIT2    still open at exit \\(>= \\d+\\.\\d{3} s since "
                + "watching began\\), timer 59\\.48s"), finWait2);
        assertTrue(lines.contains("tcp 127.0.0.1:46621 -> 0.0.0.0:*"), "the listener: " + run.out());
    }

    @Test
    void jsonlOnLiveSocketsIsOneParsableObjectPerChange() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            InetSocketAddress server = (InetSocketAddress) listener.getLocalAddress();
            SocketChannel client = SocketChannel.open(server);
            try (SocketChannel accepted = listener.accept()) {
                int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                String port = Integer.toString(server.getPort());

                // Watch for 200 ms: the three sockets are there from the first poll.
                Run first = run("--duration", "200ms", "--format", "jsonl", "--port", port);

                assertEquals(0, first.exitCode(), first.err());
                List<Map<String, Object>> lines = first.outLines().stream().map(Json::object).toList();
                assertEquals("start", lines.get(0).get("event"), "the first line says how the watcher watches");
                List<Map<String, Object>> events = lines.subList(1, lines.size());
                assertEquals(3, events.size(), first.out());
                assertTrue(events.stream().allMatch(e -> e.get("event").equals("new") && e.get("initial").equals(true)));
                Map<String, Object> listening = events.stream().filter(e -> e.get("state").equals("LISTEN")).findFirst()
                        .orElseThrow();
                assertEquals("127.0.0.1:" + port, listening.get("local"));
                assertEquals("0.0.0.0:0", listening.get("remote"));
                assertEquals("tcp", listening.get("proto"), "an AF_INET listener is a tcp row");
                assertTrue(((Number) listening.get("inode")).longValue() > 0, "a listener has an inode");

                // Watch while the client closes: its change to FIN_WAIT1 or FIN_WAIT2 comes live.
                out.getBuffer().setLength(0);
                CompletableFuture<Run> second = CompletableFuture.supplyAsync(
                        () -> run("--duration", "3s", "--format", "jsonl", "--port", port, "--interval", "1ms"));
                Await.until("the start line and the three sockets", () -> out.toString().split("\n").length >= 4,
                        out::toString);
                client.close();
                Run run = second.get(20, TimeUnit.SECONDS);

                assertEquals(0, run.exitCode(), run.err());
                Map<String, Object> change = run.outLines().stream().map(Json::object)
                        .filter(e -> e.get("event").equals("change") && e.get("local").equals("127.0.0.1:" + clientPort))
                        .findFirst().orElseThrow(() -> new AssertionError("no change for the client in " + run.out()));
                assertEquals("ESTABLISHED", change.get("previous"));
                assertTrue(List.of("FIN_WAIT1", "FIN_WAIT2").contains(change.get("state")), change.toString());
                assertEquals(false, change.get("previous_start_seen"), "ESTABLISHED began before this run");
                assertTrue(((Number) change.get("previous_ms")).longValue() >= 0);
            } finally {
                client.close();
            }
        }
    }
}
