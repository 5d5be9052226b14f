package io.echolab.it;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.echolab.client.EchoClientCommand;
import io.echolab.server.EchoServerCommand;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;

/** Starts the lab's programs for a scenario and holds the assertions' shared vocabulary. */
final class Lab {

    /** How far an observed phase may stray from the delay that caused it (the stated tolerance). */
    static final Duration TOLERANCE = Duration.ofMillis(500);
    static final Duration STARTUP = Duration.ofSeconds(20);

    private static final Pattern LISTENING = Pattern.compile("listening on \\S+:(\\d+)");

    private Lab() {
    }

    /** A server on a port the kernel picks; returns once it is listening. */
    static Server server(String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("0");
        OutputSink stdout = new OutputSink();
        Program program = new Program("echo-server", stdout, EchoServerCommand.newCommandLine(stdout),
                all.toArray(String[]::new));
        return new Server(program);
    }

    /** A client reading the given standard input. */
    static Program client(InputStream stdin, String... args) {
        OutputSink stdout = new OutputSink();
        return new Program("echo-client", stdout, EchoClientCommand.newCommandLine(stdin, stdout, false), args);
    }

    /**
     * Starts a session as a person would: a server with these options, the watcher on its port, and a
     * client with these options at its prompt; returns once the kernel shows it ESTABLISHED on both ends.
     */
    static Session session(List<String> serverOptions, List<String> clientOptions)
            throws IOException, InterruptedException {
        return session("127.0.0.1", serverOptions, clientOptions);
    }

    /** A session whose client connects to {@code host} (give the server a matching {@code --bind}). */
    static Session session(String host, List<String> serverOptions, List<String> clientOptions)
            throws IOException, InterruptedException {
        return session(host, serverOptions, clientOptions, KernelWatch::new);
    }

    /** How a session watches the server's port: /proc by default, or another backend. */
    @FunctionalInterface
    interface Watching {
        KernelWatch on(int port) throws IOException;
    }

    /** A session watched the given way. */
    static Session session(String host, List<String> serverOptions, List<String> clientOptions, Watching watching)
            throws IOException, InterruptedException {
        Server server = server(serverOptions.toArray(String[]::new));
        KernelWatch kernel = null;
        try {
            kernel = watching.on(server.port);
            Keyboard keyboard = new Keyboard();
            List<String> args = new ArrayList<>(clientOptions);
            args.addAll(List.of(host, String.valueOf(server.port)));
            Program client = client(keyboard, args.toArray(String[]::new));
            kernel.awaitEstablished(STARTUP);
            return new Session(server, kernel, keyboard, client);
        } catch (Throwable t) {
            if (kernel != null) {
                kernel.close();
            }
            server.close();
            throw t;
        }
    }

    /** One echo session: the server, the watcher on its port, the client and the keyboard it reads. */
    record Session(Server server, KernelWatch kernel, Keyboard keyboard, Program client) implements AutoCloseable {
        @Override
        public void close() {
            kernel.close();
            client.close();
            server.close();
        }
    }

    /** A running echo-server and the port it listens on. */
    static final class Server implements AutoCloseable {
        final Program program;
        final int port;

        Server(Program program) throws InterruptedException {
            this.program = program;
            Matcher m = LISTENING.matcher(program.stdout.awaitLine("listening on", STARTUP));
            if (!m.find()) {
                throw new AssertionError("no port in the server's output: " + program.out());
            }
            this.port = Integer.parseInt(m.group(1));
        }

        @Override
        public void close() {
            program.close();
        }
    }

    /**
     * The states after the handshake: SYN_SENT and SYN_RECV last microseconds on loopback, so a poll
     * catches them only by chance (the tracepoint sees them every time).
     */
    static List<TcpState> afterHandshake(Connection c) {
        return c.states().stream().filter(s -> s != TcpState.SYN_SENT && s != TcpState.SYN_RECV).toList();
    }

    /**
     * The states a poll is sure to see: after the handshake, and without FIN_WAIT1 and LAST_ACK, which last
     * from microseconds to a delayed ACK's 40 ms.
     */
    static List<TcpState> pollableStates(Connection c) {
        return afterHandshake(c).stream().filter(s -> s != TcpState.FIN_WAIT1 && s != TcpState.LAST_ACK).toList();
    }

    /** The phase in this state, or a failure that shows the connection. */
    static Phase phase(Connection c, TcpState state) {
        return c.phase(state).orElseThrow(() -> new AssertionError("no " + state + " phase in " + c));
    }

    /** The phase's length; fails if it has not ended. */
    static Duration lasted(Phase p) {
        return p.duration().orElseThrow(() -> new AssertionError(p.state() + " has not ended: " + p));
    }

    /** Whether {@code actual} is within the tolerance of {@code expected}. */
    static boolean near(Duration actual, Duration expected) {
        return actual.minus(expected).abs().compareTo(TOLERANCE) <= 0;
    }

    /** Whether any connection on the port was ever seen in this state. */
    static boolean anyIn(List<Connection> connections, TcpState state) {
        return connections.stream().anyMatch(c -> c.states().contains(state));
    }
}
