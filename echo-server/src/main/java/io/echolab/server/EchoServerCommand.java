package io.echolab.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedByInterruptException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

import io.echolab.common.AddressConverter;
import io.echolab.common.DurationConverter;
import io.echolab.common.ExitCode;
import io.echolab.common.NetworkErrors;
import io.echolab.common.OneLineErrors;
import io.echolab.common.PortConverter;
import io.echolab.common.SocketTuningOptions;
import io.echolab.common.Transcript;
import io.echolab.common.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
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
            "69:cannot listen on that address",
            "74:accept() failed",
            "75:the port is in use",
            "77:permission denied (a port below 1024 needs root)",
            "130:interrupted (Ctrl-C)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  echo-server 11233                   the article's server",
            "  echo-server --close-delay 2s 11233  a shorter CLOSE_WAIT window",
            "  echo-server --close-after 1 11233   close first: TIME_WAIT moves to the server",
            "  echo-server --linger 0 11233        close() sends RST: no TIME_WAIT anywhere",
            "  echo-server --no-close 11233        never close: a CLOSE_WAIT leak"})
public final class EchoServerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PORT", converter = PortConverter.class,
            description = "The port to listen on; 0 lets the kernel choose (the chosen port is printed).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0", converter = AddressConverter.class,
            description = "The address to listen on (default: ${DEFAULT-VALUE}). An IPv6 address gets an AF_INET6 socket.")
    InetAddress bind;

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

    @Option(names = "--concurrent", description = "Serve each client on its own thread instead of one after another.")
    boolean concurrent;

    @Option(names = "--timestamps", description = "Prefix each line with the time, HH:mm:ss.SSS.")
    boolean timestamps;

    @Mixin
    SocketTuningOptions socketTuning;

    private final OutputStream stdout;

    /** A command that prints its transcript to {@code stdout}; help and errors go through picocli's streams. */
    public EchoServerCommand(OutputStream stdout) {
        this.stdout = stdout;
    }

    public static void main(String[] args) {
        System.exit(newCommandLine(System.out).execute(args));
    }

    /** The command line as main runs it, for tests to run in-process. */
    public static CommandLine newCommandLine(OutputStream stdout) {
        return OneLineErrors.install(new CommandLine(new EchoServerCommand(stdout)));
    }

    @Override
    public Integer call() {
        ServerOptions options = options();
        Transcript out = new Transcript(stdout, timestamps, Clock.systemDefaultZone());
        try (EchoServer server = new EchoServer(options, out)) {
            InetSocketAddress bound;
            try {
                bound = server.listen();
            } catch (IOException e) {
                return fail("bind socket failed: " + NetworkErrors.reason(e), bindExitCode(e));
            }
            if (port == 0) {
                out.line("listening on " + EchoServer.format(bound));
            }
            try {
                server.serve();
            } catch (ClosedByInterruptException | InterruptedException e) {
                return ExitCode.INTERRUPTED;
            } catch (IOException e) {
                return fail("accept socket failed: " + NetworkErrors.reason(e), ExitCode.IO);
            }
        } catch (IOException e) {
            return fail("close socket failed: " + NetworkErrors.reason(e), ExitCode.IO);
        }
        return ExitCode.OK;
    }

    private ServerOptions options() {
        try {
            return new ServerOptions(bind, port, backlog, clients, closeDelay,
                    closeAfter == null ? OptionalInt.empty() : OptionalInt.of(closeAfter), noClose,
                    Optional.ofNullable(farewell), concurrent, socketTuning.tuning());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static int bindExitCode(IOException e) {
        return "Permission denied".equals(e.getMessage()) ? ExitCode.NO_PERMISSION : NetworkErrors.exitCode(e);
    }

    private int fail(String message, int exitCode) {
        spec.commandLine().getErr().println(message);
        spec.commandLine().getErr().flush();
        return exitCode;
    }
}
