package io.echolab.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import io.echolab.common.DurationConverter;
import io.echolab.common.ExitMapper;
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

/** The echo-server program: echo_server2.c's lines and defaults, every close behaviour a flag. */
@Command(name = "echo-server", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Echo what each client sends, one client after another, then close the way the options say. "
                + "By default it is echo_server2.c: 5 clients, and after a client's EOF it sleeps 10 s before close(), "
                + "so the server side sits in CLOSE_WAIT and the client in FIN_WAIT2 long enough to watch.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:served every client",
            "2:bad options or arguments",
            "68:unknown host (--bind)",
            "69:cannot listen on that address (not this host's)",
            "74:accept() failed",
            "75:the port is in use",
            "77:permission denied (a port below 1024 needs root)",
            "130:interrupted (Ctrl-C): every socket closed",
            "143:terminated (SIGTERM): every socket closed"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  echo-server 11233                   the article's server",
            "  echo-server --close-delay 2s 11233  a shorter CLOSE_WAIT window",
            "  echo-server --close-after 1 11233   close first: TIME_WAIT moves to the server",
            "  echo-server --linger 0 11233        close() sends RST: no TIME_WAIT anywhere",
            "  echo-server --no-close 11233        never close: a CLOSE_WAIT leak",
            "  echo-server --concurrent --max-clients 100 --clients 0 --close-delay 0 11233",
            "                                      100 clients at once, for ever"})
public final class EchoServerCommand implements Callable<Integer> {

    /** Descriptors a JVM and the listener use besides the clients' (jars, selector, standard streams). */
    static final int RESERVED_DESCRIPTORS = 64;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PORT", converter = PortConverter.class,
            description = "The port to listen on; 0 lets the kernel choose (the chosen port is printed).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0", converter = Host.Converter.class,
            description = "The address to listen on (default: ${DEFAULT-VALUE}, IPv4 only). An IPv6 address gets an "
                    + "AF_INET6 socket; :: takes IPv6 and IPv4 both.")
    Host bind;

    @Option(names = "--reuse-address",
            description = "Set SO_REUSEADDR on the listener (its accepted sockets inherit it) before bind(). A server "
                    + "that closed first leaves TIME_WAIT on its port for 60 s; a new server can bind beside it only if "
                    + "both had SO_REUSEADDR. Off by default, as in echo_server2.c: the restart fails with "
                    + "'Address already in use'.")
    boolean reuseAddress;

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "5",
            description = "listen(2)'s backlog (default: ${DEFAULT-VALUE}).")
    int backlog;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "5",
            description = "Serve N clients, then exit; 0 serves forever (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--close-delay", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "After the client's EOF, sleep this long before close(): the CLOSE_WAIT window (default: 10s).")
    Duration closeDelay;

    @Option(names = "--close-after", paramLabel = "N",
            description = "Close first, right after echoing N messages: the server side gets the TIME_WAIT.")
    Integer closeAfter;

    @Option(names = "--no-close",
            description = "Never close accepted sockets (a CLOSE_WAIT leak); after the last client, hold them until Ctrl-C.")
    boolean noClose;

    @Option(names = "--farewell", paramLabel = "TEXT",
            description = "After the client's EOF, write TEXT and a newline, then sleep the close delay and close "
                    + "(for a client that half-closes with --half-close).")
    String farewell;

    @Option(names = "--concurrent",
            description = "Serve up to --max-clients clients at once (one thread, one selector) instead of one after "
                    + "another.")
    boolean concurrent;

    @Option(names = "--max-clients", paramLabel = "N",
            description = "With --concurrent: at most N clients at once (default: " + ServerOptions.DEFAULT_MAX_CLIENTS
                    + "). One more is accepted, told 'server busy: ...' in one line and closed at once (so the server "
                    + "holds its TIME_WAIT); it is not counted in --clients.")
    Integer maxClients;

    @Option(names = "--max-line", paramLabel = "BYTES",
            description = "Close a client that sends more than BYTES without a newline (default: no limit, as "
                    + "echo_server2.c).")
    Long maxLine;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Close a client that sends nothing for this long; the server closes first (default: never).")
    Duration idleTimeout;

    @Option(names = "--timestamps",
            description = "Prefix each line with the time its event happened, HH:mm:ss.SSS.")
    boolean timestamps;

    @Mixin
    SocketTuningOptions socketTuning;

    private final OutputStream stdout;

    /** A command that prints its transcript to {@code stdout}; help and errors go through picocli's streams. */
    public EchoServerCommand(OutputStream stdout) {
        this.stdout = stdout;
    }

    public static void main(String[] args) {
        try (StopSignals signals = StopSignals.install(Thread.currentThread())) {
            int exitCode = newCommandLine(System.out).execute(args);
            System.exit(signals.exitCode(exitCode));
        }
    }

    /** The command line as main runs it, for tests to run in-process. */
    public static CommandLine newCommandLine(OutputStream stdout) {
        return OneLineErrors.install(new CommandLine(new EchoServerCommand(stdout)));
    }

    @Override
    public Integer call() {
        InetAddress address;
        try {
            address = bind.resolve();
        } catch (UnknownHostException e) {
            return fail(bind.unknown(e), Optional.empty());
        }
        ServerOptions options = options(address);
        Transcript out = new Transcript(stdout, timestamps, timestamps ? Clock.systemDefaultZone() : Clock.systemUTC());
        try (EchoServer server = new EchoServer(options, out)) {
            InetSocketAddress bound;
            try {
                bound = server.listen();
            } catch (IOException e) {
                Failure failure = ExitMapper.failure("bind socket failed", e);
                return fail(failure, bindHint(failure.situation(), address));
            }
            if (port == 0) {
                out.line("listening on " + EchoServer.format(bound));
            }
            try {
                server.serve();
            } catch (ClosedByInterruptException | InterruptedException e) {
                return Situation.INTERRUPTED.exitCode();
            } catch (IOException e) {
                return fail(ExitMapper.failure("accept socket failed", e), Optional.empty());
            }
        } catch (IOException e) {
            return fail(ExitMapper.failure("close socket failed", e), Optional.empty());
        }
        return Situation.DONE.exitCode();
    }

    private ServerOptions options(InetAddress address) {
        if (!concurrent && maxClients != null) {
            throw new ParameterException(spec.commandLine(), "--max-clients applies only with --concurrent");
        }
        int max = maxClients == null ? ServerOptions.DEFAULT_MAX_CLIENTS : maxClients;
        OptionalLong openFiles = openFileLimit(Path.of("/proc/self/limits"));
        if (concurrent && openFiles.isPresent() && max > openFiles.getAsLong() - RESERVED_DESCRIPTORS) {
            throw new ParameterException(spec.commandLine(), "--max-clients " + max + " needs more descriptors than "
                    + "the open-file limit (" + openFiles.getAsLong() + ") leaves: raise it (ulimit -n) or lower N");
        }
        try {
            return new ServerOptions(address, port, reuseAddress, backlog, clients, closeDelay,
                    closeAfter == null ? OptionalInt.empty() : OptionalInt.of(closeAfter), noClose,
                    Optional.ofNullable(farewell), concurrent, max, maxLine == null ? 0 : maxLine,
                    Optional.ofNullable(idleTimeout), socketTuning.tuning());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The soft RLIMIT_NOFILE, from the "Max open files" row of /proc/self/limits; empty if unlimited or unreadable. */
    static OptionalLong openFileLimit(Path limits) {
        try {
            for (String row : Files.readAllLines(limits)) {
                if (row.startsWith("Max open files")) {
                    String soft = row.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(soft));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or no /proc: the kernel will say EMFILE if it comes to that
        }
        return OptionalLong.empty();
    }

    /** A second line naming the address and a likely cause of a failed bind. */
    private Optional<String> bindHint(Situation situation, InetAddress address) {
        String where = EchoServer.format(new InetSocketAddress(address, port));
        return switch (situation) {
            case ADDRESS_IN_USE -> Optional.of("hint: " + where + " is taken: a server listens there (ss -ltn 'sport = :"
                    + port + "'), or a connection a server on this port closed first is in TIME_WAIT (60 s); "
                    + (reuseAddress ? "SO_REUSEADDR binds beside a TIME_WAIT only if that server had it too"
                            : "servers that both run with --reuse-address bind beside it"));
            case ADDRESS_NOT_AVAILABLE -> Optional.of("hint: " + address.getHostAddress()
                    + " is not an address of this host (ip -brief address)");
            case PERMISSION_DENIED -> Optional.of("hint: ports below " + unprivilegedPortStart()
                    + " need root or CAP_NET_BIND_SERVICE (net.ipv4.ip_unprivileged_port_start)");
            default -> Optional.empty();
        };
    }

    private static String unprivilegedPortStart() {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).trim();
        } catch (IOException | RuntimeException e) {
            return "1024";
        }
    }

    private int fail(Failure failure, Optional<String> hint) {
        spec.commandLine().getErr().println(failure.message());
        hint.ifPresent(spec.commandLine().getErr()::println);
        spec.commandLine().getErr().flush();
        return failure.exitCode();
    }
}
