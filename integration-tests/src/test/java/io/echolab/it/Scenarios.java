package io.echolab.it;

import static io.echolab.it.LabContainer.PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the Docker ITs share: waits and assertions on the watcher's log, with their tolerances stated once. */
final class Scenarios {

    static final Duration STARTUP = Duration.ofSeconds(30);

    /** How far a state's observed length may stray from the delay that caused it. */
    static final Duration TOLERANCE = Duration.ofMillis(500);

    private Scenarios() {
    }

    /** Waits until the watcher sees the article's connection ESTABLISHED on both ends. */
    static WatchLog awaitEstablished(LabContainer lab, Duration timeout) throws InterruptedException {
        return lab.awaitWatch("both ends ESTABLISHED", timeout, log ->
                log.clientSide(PORT).map(c -> c.states().contains("ESTABLISHED")).orElse(false)
                        && log.serverSide(PORT).map(c -> c.states().contains("ESTABLISHED")).orElse(false));
    }

    /** Starts the watcher, a server with these options and a client at its prompt, and waits for ESTABLISHED. */
    static void connect(LabContainer lab, List<String> serverOptions, List<String> clientOptions) throws InterruptedException {
        serve(lab, serverOptions.toArray(String[]::new));
        List<String> client = new ArrayList<>(clientOptions);
        client.addAll(List.of("127.0.0.1", String.valueOf(PORT)));
        lab.runWithKeyboard("client", "echo-client", client.toArray(String[]::new));
        awaitEstablished(lab, STARTUP);
    }

    /** The sysctls of a namespace with only 100 ephemeral ports, 40000 to 40099, and TIME_WAIT reuse off. */
    static Map<String, String> hundredPorts(Map<String, String> more) {
        Map<String, String> sysctls = new HashMap<>(Map.of(
                "net.ipv4.ip_local_port_range", FIRST_PORT + " " + LAST_PORT,
                "net.ipv4.tcp_tw_reuse", "0"));
        sysctls.putAll(more);
        return sysctls;
    }

    static final int FIRST_PORT = 40_000;
    static final int LAST_PORT = 40_099;

    /** Starts the watcher and a server that serves forever and closes at once after each client's EOF. */
    static void loadServer(LabContainer lab) throws InterruptedException {
        serve(lab, "--clients", "0", "--close-delay", "0");
    }

    /** Starts a server with these options on the article's port, then the watcher once it listens. */
    static void serve(LabContainer lab, String... serverOptions) throws InterruptedException {
        List<String> server = new ArrayList<>(List.of(serverOptions));
        server.add(String.valueOf(PORT));
        lab.run("server", "echo-server", server.toArray(String[]::new));
        lab.awaitLine("server", "waiting connection to accept...", STARTUP);
        lab.startWatcher();
    }

    /** Runs the client's load mode as NAME to its end; returns its summary. */
    static String load(LabContainer lab, String name, String... options) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of("--timeout", "2s", "--max-time", "60s", "127.0.0.1", String.valueOf(PORT)));
        lab.run(name, "echo-client", args.toArray(String[]::new));
        lab.awaitExit(name, Duration.ofSeconds(90));
        return lab.out(name);
    }

    /** The client connections (remote port = the server's) that the watcher saw in TIME_WAIT. */
    static List<WatchLog.Connection> clientTimeWaits(WatchLog log) {
        return log.connections(c -> c.events().get(0).remotePort() == PORT && c.states().contains("TIME_WAIT"));
    }

    /** Types "aa", waits for its echo, and types "q": the article's session. */
    static void echoAndQuit(LabContainer lab) throws InterruptedException {
        lab.type("client", "aa\n");
        lab.awaitLine("client", "Message from server: aa", STARTUP);
        lab.type("client", "q\n");
    }

    /** Waits until the watcher has seen both ends of the article's connection and both have vanished. */
    static WatchLog awaitBothGone(LabContainer lab) throws InterruptedException {
        return lab.awaitWatch("both ends gone", STARTUP, log -> gone(log.clientSide(PORT)) && gone(log.serverSide(PORT)));
    }

    private static boolean gone(Optional<WatchLog.Connection> side) {
        return side.map(WatchLog.Connection::gone).orElse(false);
    }

    /**
     * Asserts what a RST leaves, once both ends are gone: each went from ESTABLISHED straight to gone, at the
     * same moment, and nothing on the port passed through FIN_WAIT2, CLOSE_WAIT or TIME_WAIT.
     */
    static WatchLog assertResetEndedBoth(LabContainer lab) throws InterruptedException {
        WatchLog log = awaitBothGone(lab);
        WatchLog.Connection client = log.clientSide(PORT).orElseThrow();
        WatchLog.Connection server = log.serverSide(PORT).orElseThrow();
        assertEquals(List.of("ESTABLISHED", "CLOSED"), client.afterHandshake(), "RST: no closing state on the client\n"
                + log.describe());
        assertEquals(List.of("ESTABLISHED", "CLOSED"), server.afterHandshake(), "RST: no closing state on the server\n"
                + log.describe());
        assertEndedTogether(client, server);
        for (String closing : List.of("FIN_WAIT2", "CLOSE_WAIT", "TIME_WAIT")) {
            assertFalse(log.anyIn(closing), "RST, not FIN: no " + closing + " anywhere\n" + log.describe());
        }
        return log;
    }

    /** Asserts the two ends vanished from the table together, as a RST makes them. */
    static void assertEndedTogether(WatchLog.Connection a, WatchLog.Connection b) {
        Duration apart = Duration.between(a.events().get(a.events().size() - 1).time(),
                b.events().get(b.events().size() - 1).time()).abs();
        assertTrue(apart.compareTo(Duration.ofMillis(100)) <= 0,
                "the RST ends both sides at once: " + apart.toMillis() + " ms apart\n" + a.describe() + b.describe());
    }

    /** Asserts the connection's {@code state} lasted {@code expected} within {@code tolerance}. */
    static void assertLasted(WatchLog.Connection c, String state, Duration expected, Duration tolerance, String why) {
        Duration lasted = c.lasted(state).orElseThrow(() -> new AssertionError("no ended " + state + " phase:\n" + c.describe()));
        assertTrue(lasted.minus(expected).abs().compareTo(tolerance) <= 0,
                why + ": expected " + expected.toMillis() + " ms +- " + tolerance.toMillis() + ", was " + lasted.toMillis()
                        + " ms\n" + c.describe());
    }
}
