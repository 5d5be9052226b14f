package io.echolab.watcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

import io.echolab.common.DurationConverter;
import io.echolab.common.ExitCode;
import io.echolab.common.OneLineErrors;
import io.echolab.common.PortConverter;
import io.echolab.common.VersionProvider;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.proc.MalformedProcRowException;
import io.echolab.watcher.proc.ProcNetTcp;
import io.echolab.watcher.report.TimelineRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine;

/** The state-watcher program: the article's netstat loop, reading the kernel's socket tables directly. */
@Command(name = "state-watcher", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Watch the kernel's TCP states the way the article's loop (date; netstat -a | grep PORT; "
                + "sleep 0.001) did, but from /proc/net/tcp and /proc/net/tcp6 directly: every state, TIME_WAIT "
                + "and orphaned FIN_WAIT2 included, with their timers. IPv4-mapped addresses (::ffff:127.0.0.1) "
                + "are shown as IPv4.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:watched until --duration, Ctrl-C or SIGTERM",
            "1:a bug (the message says what)",
            "2:bad options",
            "65:a row of /proc/net/tcp did not parse (the message names it)",
            "66:no such process (--pid) or no such table (--proc-root)",
            "74:reading the table failed, or standard output closed",
            "77:permission denied (another user's --pid needs root)"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  state-watcher --port 11233                  the article's loop, on changes",
            "  state-watcher --port 11233 --every-poll     every poll, as the shell loop",
            "  state-watcher --port 11233 --format timeline    states and durations at exit",
            "  state-watcher --port 11233 --format jsonl | jq -r .state",
            "  state-watcher --pid 4242 --duration 90s     a container's namespace, 90 s"})
public final class StateWatcherCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", converter = WatchedPortConverter.class,
            description = "Watch the sockets with PORT at either end: the listener, its accepted sockets and "
                    + "their clients. Repeatable. Default: every socket.")
    List<Integer> ports = new ArrayList<>();

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10ms", converter = DurationConverter.class,
            description = "Time from one poll to the next (default: ${DEFAULT-VALUE}, 100 polls a second). 1ms works, at more CPU; "
                    + "states shorter than a poll (FIN_WAIT1, LAST_ACK on loopback) are seldom seen at any interval.")
    Duration interval;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 90s. Default: until Ctrl-C or SIGTERM, which end cleanly "
                    + "(exit code 0, timeline printed).")
    Duration duration;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "netstat", converter = OutputFormat.Converter.class,
            completionCandidates = OutputFormat.Labels.class,
            description = "netstat (default): a timestamp line (date and time to the millisecond) and the rows "
                    + "as netstat -ant prints them, each time the sockets or their states change. "
                    + "jsonl: one JSON object per change (new, change, gone), for jq. "
                    + "timeline: at exit, each connection's states with when they began and how long they lasted.")
    OutputFormat format;

    @Option(names = "--every-poll",
            description = "With --format netstat: print every poll, even when nothing changed, as the shell loop did.")
    boolean everyPoll;

    @Option(names = "--pid", paramLabel = "PID",
            description = "Watch the network namespace of process PID (read /proc/PID/net/tcp), e.g. a container's.")
    Integer pid;

    @Option(names = "--proc-root", paramLabel = "DIR",
            description = "Read DIR/net/tcp and DIR/net/tcp6 instead of /proc's: saved tables, fixtures.")
    Path procRoot;

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The command line as main runs it: usage errors and failures are one line on stderr, never a stack trace. */
    public static CommandLine newCommandLine() {
        return OneLineErrors.install(new CommandLine(new StateWatcherCommand()));
    }

    @Override
    public Integer call() {
        WatchOptions options = options();
        PrintWriter out = spec.commandLine().getOut();
        Clock clock = Clock.systemUTC();
        ZoneId zone = ZoneId.systemDefault();

        // Configure
        Timeline timeline = new Timeline();
        List<WatchListener> listeners = switch (options.format()) {
            case NETSTAT -> List.of(new NetstatPrinter(out, zone, options.everyPoll()));
            case JSONL -> List.of(new JsonlPrinter(out));
            case TIMELINE -> List.of(timeline);
        };
        Path root = options.procRoot();
        Watcher watcher = new Watcher(() -> ProcNetTcp.read(root), options.filter(), options.interval(), clock, listeners);

        // Watch
        int exitCode = ExitCode.OK;
        StopOnSignal signals = StopOnSignal.install(watcher::stop);
        try {
            if (options.duration().isPresent()) {
                watcher.runFor(options.duration().get());
            } else {
                watcher.run();
            }
        } catch (IOException e) {
            Failure failure = Failure.of(e, options.pid());
            exitCode = fail(failure.message(), failure.exitCode());
        } catch (UncheckedIOException e) {
            return ExitCode.IO; // standard output is gone: nobody to tell
        } finally {
            signals.close();
        }

        // Report
        List<Connection> connections = timeline.connections();
        if (options.format() == OutputFormat.TIMELINE && (exitCode == ExitCode.OK || !connections.isEmpty())) {
            TimelineRenderer.render(connections, clock.instant(), zone).forEach(out::println);
            out.flush();
        }
        return exitCode;
    }

    private WatchOptions options() {
        if (pid != null && procRoot != null) {
            throw new ParameterException(spec.commandLine(), "--pid and --proc-root cannot be used together");
        }
        Path root = procRoot != null ? procRoot : pid != null ? Path.of("/proc", pid.toString()) : Path.of("/proc");
        try {
            return new WatchOptions(new LinkedHashSet<>(ports), interval, Optional.ofNullable(duration), root,
                    pid == null ? OptionalInt.empty() : OptionalInt.of(pid), format, everyPoll);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private int fail(String message, int exitCode) {
        spec.commandLine().getErr().println("state-watcher: " + message);
        spec.commandLine().getErr().flush();
        return exitCode;
    }

    /** A failed read as one line for the user and an exit code. */
    record Failure(String message, int exitCode) {

        static Failure of(IOException e, OptionalInt pid) {
            if (e instanceof MalformedProcRowException) {
                return new Failure(e.getMessage(), ExitCode.DATA);
            }
            String file = e instanceof FileSystemException fse && fse.getFile() != null ? fse.getFile() : "the table";
            if (e instanceof NoSuchFileException) {
                return new Failure(pid.isPresent()
                        ? "no process " + pid.getAsInt() + " (" + file + " does not exist)"
                        : file + ": No such file or directory", ExitCode.NO_INPUT);
            }
            if (e instanceof AccessDeniedException) {
                return new Failure(file + ": Permission denied"
                        + (pid.isPresent() ? " (process " + pid.getAsInt() + " is another user's: try as root)" : ""),
                        ExitCode.NO_PERMISSION);
            }
            String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                    : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            return new Failure("cannot read " + file + ": " + reason, ExitCode.IO);
        }
    }

    /** A port to watch: 1 to 65535 (0 is no socket's own port). */
    public static final class WatchedPortConverter implements ITypeConverter<Integer> {

        @Override
        public Integer convert(String value) {
            int port;
            try {
                port = PortConverter.parse(value);
            } catch (TypeConversionException e) {
                throw new TypeConversionException("'" + value + "' is not a port to watch (1-65535)");
            }
            if (port == 0) {
                throw new TypeConversionException("'" + value + "' is not a port to watch (1-65535)");
            }
            return port;
        }
    }
}
