package io.echolab.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.TcpState;

/** What the port-exhaustion scenarios (S9 to S12) share: a namespace with 100 ports, a server, a load run. */
final class Loads {

    static final int FIRST_PORT = 40_000;
    static final int LAST_PORT = 40_099;

    private Loads() {
    }

    /** The sysctls of a namespace with only 100 ephemeral ports, 40000 to 40099, and TIME_WAIT reuse off. */
    static Map<String, String> hundredPorts(Map<String, String> more) {
        Map<String, String> sysctls = new HashMap<>(Map.of(
                "net.ipv4.ip_local_port_range", FIRST_PORT + " " + LAST_PORT,
                "net.ipv4.tcp_tw_reuse", "0"));
        sysctls.putAll(more);
        return sysctls;
    }

    /** A server that serves forever and closes at once after each client's EOF, and the watcher. */
    static void server(Lab lab) throws InterruptedException {
        lab.serve("--clients", "0", "--close-delay", "0");
    }

    /** Runs the client's load mode as NAME to its end; returns its summary. */
    static String load(Lab lab, String name, String... options) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of("--timeout", "2s", "--max-time", "60s", "127.0.0.1", String.valueOf(lab.port())));
        lab.start(name, "echo-client", Lab.Input.NONE, args);
        lab.awaitExit(name, Duration.ofSeconds(90));
        return lab.out(name);
    }

    /** The client connections the watcher saw in TIME_WAIT. */
    static List<Connection> clientTimeWaits(Story story) {
        return story.connections(c -> story.isClient(c) && c.states().contains(TcpState.TIME_WAIT));
    }
}
