package io.echolab.client;

import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.echolab.common.DurationConverter;
import io.echolab.common.Failure;
import io.echolab.common.Host;
import io.echolab.common.OneLineErrors;
import io.echolab.common.PortConverter;
import io.echolab.common.Situation;
import io.echolab.common.SocketTuningOptions;
import io.echolab.common.StopSignals;
import io.echolab.common.Transcript;
import io.echolab.common.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The echo-client program: echo_client2.c's prompt and lines, the close behaviours as flags, and a load mode. */
@Command(name = "echo-client", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Send lines to an echo server and print what comes back; on q (or EOF) close the socket and "
                + "stay alive for the hold, so the connection's TIME_WAIT can be watched. By default it is "
                + "echo_client2.c, with a 180 s hold. With --connections it instead opens many short connections, "
                + "closing first each time, and prints a summary.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done (load mode: every connection made)",
            "2:bad options or arguments",
            "68:unknown host",
            "69:cannot connect: refused, unreachable, timed out, no local port left (load mode: some "
                    + "connections failed, for whatever reason)",
            "74:the connection failed: reset by the server, closed mid-echo, a failed write",
            "130:interrupted (Ctrl-C); load mode prints its summary first",
            "143:terminated (SIGTERM); load mode prints its summary first"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  echo-client 127.0.0.1 11233",
            "      the article's client",
            "  echo-client --send aa --hold 70s 127.0.0.1 11233",
            "      send aa, quit, watch the TIME_WAIT",
            "  echo-client --linger 0 127.0.0.1 11233",
            "      close() sends RST: no TIME_WAIT",
            "  echo-client --half-close 127.0.0.1 11233",
            "      shutdown(SHUT_WR), then read to the end",
            "  echo-client --connections 500 127.0.0.1 11233",
            "      500 short connections: a TIME_WAIT pile-up"})
public final class EchoClientCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IP", converter = Host.Converter.class,
            description = "The server's address or name. IPv4 gets an AF_INET socket (a tcp row), IPv6 AF_INET6 (tcp6).")
    Host host;

    @Parameters(index = "1", paramLabel = "PORT", converter = PortConverter.class, description = "The server's port.")
    int port;

    @Option(names = "--hold", paramLabel = "DURATION", defaultValue = "180s", converter = DurationConverter.class,
            description = "After close(), keep the process alive this long (default: 180s).")
    Duration hold;

    @Option(names = "--half-close",
            description = "On quit, shutdown(SHUT_WR) instead of close(): send FIN, keep reading until the server "
                    + "closes, then close.")
    boolean halfClose;

    @Option(names = "--send", paramLabel = "LINE",
            description = "Send this line instead of reading standard input; repeatable. Quits after the last one.")
    List<String> send;

    @Option(names = "--timestamps",
            description = "Prefix each line with the time its event happened (the echo arrived, quit was read, the "
                    + "socket closed), HH:mm:ss.SSS; after a prompt, on the same line.")
    boolean timestamps;

    @Mixin
    SocketTuningOptions socketTuning;

    @Option(names = "--connections", paramLabel = "N",
            description = "Load mode: open N short connections one after another, one line each, every byte of the "
                    + "echo checked, closing first.")
    Integer connections;

    @Option(names = "--source-ports", paramLabel = "FROM-TO", converter = PortRange.Converter.class,
            description = "Load mode: bind connection i to port FROM + i mod the range's size.")
    PortRange sourcePorts;

    @Option(names = "--max-time", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "Load mode: the whole run's limit; a connect or echo still running then is cut short "
                    + "(default: 60s).")
    Duration maxTime;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "Load mode: how long one connect, or one echo (write and read back), may take (default: 5s).")
    Duration timeout;

    private final InputStream stdin;
    private final OutputStream stdout;
    private final boolean terminal;

    /**
     * @param stdin    the lines to send when no {@code --send} is given
     * @param stdout   where the transcript goes, as raw bytes so echoed lines come out exactly
     * @param terminal whether standard error is a terminal a person watches: load mode then shows progress there
     */
    public EchoClientCommand(InputStream stdin, OutputStream stdout, boolean terminal) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        try (StopSignals signals = StopSignals.install(Thread.currentThread())) {
            // Standard input through a channel: a read blocked at the prompt ends at Ctrl-C (a FileInputStream's would not)
            InputStream stdin = Channels.newInputStream(new FileInputStream(FileDescriptor.in).getChannel());
            int exitCode = newCommandLine(stdin, System.out, Terminal.isTerminal(2)).execute(args);
            System.exit(signals.exitCode(exitCode));
        }
    }

    /** The command line as main runs it, for tests to run in-process. */
    public static CommandLine newCommandLine(InputStream stdin, OutputStream stdout, boolean terminal) {
        return OneLineErrors.install(new CommandLine(new EchoClientCommand(stdin, stdout, terminal)));
    }

    @Override
    public Integer call() {
        if (port == 0) {
            throw new ParameterException(spec.commandLine(), "port 0 is not a server's port (1-65535)");
        }
        if (connections == null) {
            rejectLoadOptions();
        } else {
            rejectInteractiveOptions();
        }
        InetAddress address;
        try {
            address = host.resolve();
        } catch (UnknownHostException e) {
            return fail(host.unknown(e), Optional.empty());
        }
        InetSocketAddress server = new InetSocketAddress(address, port);
        return connections == null ? interactive(server) : load(server);
    }

    private int interactive(InetSocketAddress server) {
        ClientOptions options;
        try {
            options = new ClientOptions(server, hold, halfClose, socketTuning.tuning());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        InputStream lines = send == null ? stdin
                : new ByteArrayInputStream((String.join("\n", send) + "\n").getBytes(StandardCharsets.UTF_8));
        // The local zone only for stamps: loading it costs a session without them time at every start
        Transcript out = new Transcript(stdout, timestamps, timestamps ? Clock.systemDefaultZone() : Clock.systemUTC());
        try {
            new EchoClient(options, lines, out).run();
            return Situation.DONE.exitCode();
        } catch (ClientFailure failure) {
            return fail(failure.failure(), failure.hint());
        } catch (InterruptedException e) {
            return Situation.INTERRUPTED.exitCode();
        }
    }

    private int load(InetSocketAddress server) {
        LoadOptions options;
        try {
            byte[] line = ((send == null ? "ping" : send.get(0)) + "\n").getBytes(StandardCharsets.UTF_8);
            options = new LoadOptions(server, connections, Optional.ofNullable(sourcePorts), maxTime, timeout,
                    socketTuning.tuning(), line);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        LoadGenerator.Progress progress = terminal ? new TerminalProgress(err, connections) : (a, f) -> { };
        LoadResult result = new LoadGenerator(options, progress).run();
        if (terminal) {
            err.print("\r\033[K");
            err.flush();
        }
        printSummary(server, result);
        if (result.stop() == LoadGenerator.Stop.INTERRUPTED) {
            return Situation.INTERRUPTED.exitCode();
        }
        return result.failed() == 0 ? Situation.DONE.exitCode() : Situation.UNAVAILABLE.exitCode();
    }

    private void printSummary(InetSocketAddress server, LoadResult result) {
        StringBuilder summary = new StringBuilder();
        summary.append("server:                ").append(ConnectHints.address(server)).append('\n');
        summary.append("connections attempted: ").append(result.attempted()).append('\n');
        summary.append("connections made:      ").append(result.made()).append('\n');
        summary.append("connections failed:    ").append(result.failed()).append('\n');
        for (Map.Entry<String, Integer> failure : result.failures().entrySet()) {
            summary.append(String.format(Locale.ROOT, "  %6d  %s%n", failure.getValue(), failure.getKey()));
        }
        if (result.stoppedByTime()) {
            summary.append("stopped by --max-time: ").append(DurationConverter.seconds(maxTime)).append(" s\n");
        }
        if (result.stop() == LoadGenerator.Stop.INTERRUPTED) {
            summary.append("interrupted:           the run was stopped; this is what it did so far\n");
        }
        summary.append(String.format(Locale.ROOT, "elapsed:               %.3f s%n", result.elapsed().toNanos() / 1e9));
        summary.append(String.format(Locale.ROOT, "rate:                  %.1f connections/s%n", result.rate()));
        for (String hint : hints(server, result)) {
            summary.append(hint).append('\n');
        }
        new Transcript(stdout, false, Clock.systemUTC()).text(summary.toString());
    }

    /** What the failures most likely mean, one line each. */
    private List<String> hints(InetSocketAddress server, LoadResult result) {
        List<String> hints = new ArrayList<>();
        if (result.echoTimeouts() > 0) {
            hints.add("hint: " + result.echoTimeouts() + " connection(s) got no echo within "
                    + DurationConverter.seconds(timeout) + " s though the kernel accepted them: the server seems to "
                    + "serve one client at a time (as echo_server2.c; echo-server without --concurrent also sleeps "
                    + "--close-delay after each), and its listen queue holds the rest. Try echo-server --concurrent, "
                    + "or --close-delay 0 --clients 0");
        }
        for (Situation situation : result.situations().keySet()) {
            if (situation != Situation.TIMED_OUT) {
                ConnectHints.hint(situation, server, Optional.of(timeout)).ifPresent(hints::add);
            }
        }
        return hints;
    }

    private void rejectLoadOptions() {
        for (String loadOnly : List.of("--source-ports", "--max-time", "--timeout")) {
            if (matched(loadOnly)) {
                throw new ParameterException(spec.commandLine(), loadOnly + " applies only with --connections");
            }
        }
    }

    private void rejectInteractiveOptions() {
        for (String interactiveOnly : List.of("--hold", "--half-close", "--timestamps")) {
            if (matched(interactiveOnly)) {
                throw new ParameterException(spec.commandLine(), interactiveOnly + " does not apply to --connections");
            }
        }
        if (send != null && send.size() > 1) {
            throw new ParameterException(spec.commandLine(), "load mode sends one line per connection: give --send once");
        }
    }

    private boolean matched(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private int fail(Failure failure, Optional<String> hint) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(failure.message());
        hint.ifPresent(err::println);
        err.flush();
        return failure.exitCode();
    }

    /** Rewrites one status line on a terminal, at most every 100 ms. */
    private static final class TerminalProgress implements LoadGenerator.Progress {
        private final PrintWriter err;
        private final int total;
        private long lastNanos;

        TerminalProgress(PrintWriter err, int total) {
            this.err = err;
            this.total = total;
        }

        @Override
        public void update(int attempted, int failed) {
            long now = System.nanoTime();
            if (now - lastNanos >= 100_000_000L || attempted == total) {
                lastNanos = now;
                err.printf("\r%d/%d connections, %d failed", attempted, total, failed);
                err.flush();
            }
        }
    }
}
