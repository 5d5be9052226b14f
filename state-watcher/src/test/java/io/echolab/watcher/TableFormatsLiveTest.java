package io.echolab.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.echolab.testing.Await;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.netlink.SockDiag;
import io.echolab.watcher.proc.ProcNetTcp;
import io.echolab.watcher.report.NetstatRenderer;
import io.echolab.watcher.report.SsRenderer;
import io.echolab.watcher.report.TableColumns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The table formats against net-tools' netstat and iproute2's ss, run by the test on the same live loopback
 * sockets at nearly the same moment: a listener, an ESTABLISHED pair with keepalive on, a TIME_WAIT, an
 * orphaned FIN_WAIT2 facing a CLOSE_WAIT, and an IPv6 pair. Timers tick between their read and ours, so
 * their kind and counts must agree exactly and their time left within the time between the two reads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TableFormatsLiveTest {

    private static final Path NETSTAT = Path.of("/usr/bin/netstat");
    private static final Path SS = Path.of("/usr/bin/ss");
    /** netstat -o's timer: kind (seconds/retransmits/probes). */
    private static final Pattern NETSTAT_TIMER = Pattern.compile(" (off|on|keepalive|timewait|probe) \\((\\d+\\.\\d\\d)/(\\d+)/(\\d+)\\)$");
    /** ss -o's timer: timer:(kind,time,count). */
    private static final Pattern SS_TIMER = Pattern.compile("timer:\\((\\w+),([^,]*),(\\d+)\\)");

    private final List<AutoCloseable> open = new ArrayList<>();
    private int v4;
    private int v6;

    @BeforeAll
    void scene() throws Exception {
        ServerSocketChannel listener = listen(StandardProtocolFamily.INET, "127.0.0.1");
        v4 = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        // ESTABLISHED, the client with keepalive on: its keepalive timer runs
        SocketChannel kept = connect(listener);
        kept.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        open.add(listener.accept());
        // The client closes first, then the server: the client's side is TIME_WAIT
        SocketChannel first = connect(listener);
        SocketChannel firstServer = listener.accept();
        first.close();
        firstServer.close();
        // The client closes, the server does not: an orphaned FIN_WAIT2 and a CLOSE_WAIT
        SocketChannel orphan = connect(listener);
        open.add(listener.accept());
        orphan.close();
        ServerSocketChannel listener6 = listen(StandardProtocolFamily.INET6, "::1");
        v6 = ((InetSocketAddress) listener6.getLocalAddress()).getPort();
        connect(listener6);
        open.add(listener6.accept());
        Await.until("TIME_WAIT, FIN_WAIT2 and CLOSE_WAIT on port " + v4, () -> {
            Set<TcpState> states = rows().stream().map(TcpSocket::state).collect(java.util.stream.Collectors.toSet());
            return states.containsAll(List.of(TcpState.TIME_WAIT, TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT));
        }, this::rows);
    }

    @AfterAll
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    @Test
    void timerColumnAgreesWithNetstatO() throws Exception {
        assumeTrue(Files.isExecutable(NETSTAT), "no /usr/bin/netstat here");
        long before = System.nanoTime();
        List<String> theirs = run(NETSTAT.toString(), "-ant", "-o");
        List<TcpSocket> rows = ProcNetTcp.read(Path.of("/proc")).stream().filter(this::watched).toList();
        double elapsed = (System.nanoTime() - before) / 1e9;

        assertEquals(9, rows.size(), "listener, kept pair, TIME_WAIT, FIN_WAIT2 and CLOSE_WAIT, IPv6 listener and pair: " + rows);
        Set<String> kinds = new java.util.HashSet<>();
        for (TcpSocket row : rows) {
            String ours = NetstatRenderer.row(row, new TableColumns(false, true), Optional.empty());
            String base = NetstatRenderer.row(row);
            String line = theirs.stream().filter(l -> l.startsWith(base.substring(0, 70))).findFirst()
                    .orElseThrow(() -> new AssertionError("netstat -ant -o has no row for " + base + ": " + theirs));
            Matcher their = NETSTAT_TIMER.matcher(line);
            Matcher our = NETSTAT_TIMER.matcher(ours);
            assertTrue(their.find() && our.find(), line + " / " + ours);
            assertEquals(line.substring(0, their.start()), ours.substring(0, our.start()), "the row before the timer");
            assertEquals(their.group(1), our.group(1), "the timer's kind: " + line);
            assertEquals(their.group(3) + "/" + their.group(4), our.group(3) + "/" + our.group(4), "retransmits/probes");
            double left = Double.parseDouble(their.group(2)) - Double.parseDouble(our.group(2));
            assertTrue(left >= -0.011 && left <= elapsed + 0.011, "ours read later, so no more left than netstat's, "
                    + "and no less than " + elapsed + " s before: " + line + " / " + ours);
            kinds.add(our.group(1));
        }
        assertEquals(Set.of("off", "keepalive", "timewait"), kinds, "the scene's timers");
    }

    @Test
    void ssRowsAndTimersAgreeWithSsTano() throws Exception {
        assumeTrue(Files.isExecutable(SS), "no /usr/bin/ss here");
        String filter = "( sport = :" + v4 + " or dport = :" + v4 + " or sport = :" + v6 + " or dport = :" + v6 + " )";
        List<TcpSocket> rows;
        List<String> plain;
        List<String> timed;
        long before = System.nanoTime();
        try (SockDiag netlink = SockDiag.open()) {
            plain = run(SS.toString(), "-tan", filter);
            timed = run(SS.toString(), "-tano", filter);
            rows = netlink.dump(Set.of(v4, v6));
        }
        double elapsed = (System.nanoTime() - before) / 1e9;

        List<String> ours = SsRenderer.snapshot(Instant.now(), ZoneId.systemDefault(), rows, false, TableColumns.PLAIN,
                key -> Optional.empty());
        assertEquals(normalized(plain), sorted(ours.subList(1, ours.size())), "ss -tan's header and rows, in ss's layout");

        List<String> oursTimed = SsRenderer.snapshot(Instant.now(), ZoneId.systemDefault(), rows, false,
                new TableColumns(false, true), key -> Optional.empty());
        List<String> theirsTimed = normalized(timed);
        List<String> oursTimedRows = sorted(oursTimed.subList(1, oursTimed.size()));
        assertEquals(theirsTimed.stream().map(TableFormatsLiveTest::withoutTime).toList(),
                oursTimedRows.stream().map(TableFormatsLiveTest::withoutTime).toList(), "ss -tano's, the times aside");
        for (int i = 0; i < theirsTimed.size(); i++) {
            Matcher their = SS_TIMER.matcher(theirsTimed.get(i));
            Matcher our = SS_TIMER.matcher(oursTimedRows.get(i));
            if (their.find() && our.find()) {
                long left = millis(their.group(2)) - millis(our.group(2));
                // ss drops the milliseconds past 9 s and the seconds past 9 min: one unit of slack
                long unit = millis(their.group(2)) >= 600_000 ? 60_000 : millis(their.group(2)) >= 10_000 ? 1_000 : 1;
                assertTrue(left >= -unit && left <= elapsed * 1000 + unit, theirsTimed.get(i) + " / " + oursTimedRows.get(i));
            }
        }
        assertTrue(oursTimedRows.stream().anyMatch(r -> r.startsWith("TIME-WAIT") && r.contains("timer:(timewait,")), oursTimedRows.toString());
        assertTrue(oursTimedRows.stream().anyMatch(r -> r.contains("timer:(keepalive,")), oursTimedRows.toString());
    }

    @Test
    void summaryCountsAgreeWithSsState() throws Exception {
        assumeTrue(Files.isExecutable(SS), "no /usr/bin/ss here");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = command(out, err).execute("--port", Integer.toString(v4), "--summary", "--backend", "netlink",
                "--duration", "300ms");

        assertEquals(0, exit, err.toString());
        List<String> lines = List.of(out.toString().split("\n"));
        int peak = lines.indexOf("Peak of each state (the most at once, and when first reached):");
        assertTrue(peak > 0, out.toString());
        Map<String, Integer> ours = new HashMap<>();
        for (String line : lines.subList(1, peak)) {
            if (line.matches("\\d{4}-.*")) {
                break; // a second block: nothing changed in the scene, so there is none
            }
            String[] fields = line.split(" ");
            ours.put(fields[0], Integer.parseInt(fields[1]));
        }
        Map<String, String> ssNames = Map.of("ESTABLISHED", "established", "TIME_WAIT", "time-wait",
                "FIN_WAIT2", "fin-wait-2", "CLOSE_WAIT", "close-wait", "LISTEN", "listening");
        for (Map.Entry<String, String> state : ssNames.entrySet()) {
            List<String> theirs = run(SS.toString(), "-tanH", "state", state.getValue(),
                    "( sport = :" + v4 + " or dport = :" + v4 + " )");
            assertEquals(theirs.size(), ours.getOrDefault(state.getKey(), 0), state.getKey() + ": ss -tan state "
                    + state.getValue() + " lists " + theirs);
        }
        assertEquals(Map.of("ESTABLISHED", 2, "TIME_WAIT", 1, "FIN_WAIT2", 1, "CLOSE_WAIT", 1, "LISTEN", 1), ours,
                "the scene set up: " + out);
    }

    @Test
    void csvOfLiveSocketsReadsBackWithJackson() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = command(out, err).execute("--port", Integer.toString(v4), "--format", "csv", "--backend", "netlink",
                "--duration", "200ms");

        assertEquals(0, exit, err.toString());
        List<Map<String, String>> rows = Csv.rows(out.toString());
        assertEquals(6, rows.size(), "one new row per socket, all there at the first poll: " + out);
        Map<String, String> timeWait = rows.stream().filter(r -> r.get("state").equals("TIME_WAIT")).findFirst().orElseThrow();
        assertEquals("new", timeWait.get("event"));
        assertEquals("timewait", timeWait.get("timer"));
        assertEquals("127.0.0.1:" + v4, timeWait.get("remote"));
        Map<String, String> closeWait = rows.stream().filter(r -> r.get("state").equals("CLOSE_WAIT")).findFirst().orElseThrow();
        assertEquals(Long.toString(ProcessHandle.current().pid()), closeWait.get("pid"), "this test holds the CLOSE_WAIT");
    }

    static PicocliRun command(StringWriter out, StringWriter err) {
        return args -> {
            picocli.CommandLine commandLine = StateWatcherCommand.newCommandLine();
            commandLine.setOut(new PrintWriter(out, true));
            commandLine.setErr(new PrintWriter(err, true));
            return commandLine.execute(args);
        };
    }

    /** The command line, run in this JVM. */
    @FunctionalInterface
    interface PicocliRun {
        int execute(String... args);
    }

    /** ss's lines: trailing blanks trimmed, a listener's backlog (Send-Q) shown as the 0 we print, header first. */
    private static List<String> normalized(List<String> ss) {
        List<String> lines = new ArrayList<>();
        for (String line : ss) {
            Matcher listen = Pattern.compile("^(LISTEN +\\d+ +)(\\d+)").matcher(line);
            if (listen.find()) {
                line = listen.group(1) + "0" + " ".repeat(listen.group(2).length() - 1) + line.substring(listen.end());
            }
            lines.add(line.stripTrailing());
        }
        return sorted(lines);
    }

    private static List<String> sorted(List<String> lines) {
        List<String> rows = new ArrayList<>(lines.subList(1, lines.size()));
        rows.sort(null);
        rows.add(0, lines.get(0));
        return rows;
    }

    private static String withoutTime(String line) {
        return SS_TIMER.matcher(line).replaceAll("timer:($1,T,$3)");
    }

    /** ss's print_ms_timer text read back: 59sec, 1min59sec, 119min, 1.500ms, 200ms. */
    private static long millis(String text) {
        Matcher m = Pattern.compile("(?:(\\d+)min)?(?:(\\d+)(?:sec|\\.))?(?:(\\d+)ms)?").matcher(text);
        assertTrue(m.matches(), text);
        return (m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 60_000)
                + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 1_000)
                + (m.group(3) == null ? 0 : Long.parseLong(m.group(3)));
    }

    private boolean watched(TcpSocket row) {
        return row.local().getPort() == v4 || row.remote().getPort() == v4 || row.local().getPort() == v6
                || row.remote().getPort() == v6;
    }

    private List<TcpSocket> rows() {
        try (SockDiag netlink = SockDiag.open()) {
            return netlink.dump(Set.of(v4));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private ServerSocketChannel listen(ProtocolFamily family, String ip) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open(family);
        open.add(listener);
        listener.bind(new InetSocketAddress(InetAddress.getByName(ip), 0), 50);
        return listener;
    }

    private SocketChannel connect(ServerSocketChannel listener) throws IOException {
        InetSocketAddress server = (InetSocketAddress) listener.getLocalAddress();
        SocketChannel client = SocketChannel.open(server.getAddress() instanceof java.net.Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        open.add(client);
        client.connect(server);
        return client;
    }

    static List<String> run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
        return output.isEmpty() ? List.of() : List.of(output.split("\n"));
    }
}
