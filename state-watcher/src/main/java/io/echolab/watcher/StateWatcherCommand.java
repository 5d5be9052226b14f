package io.echolab.watcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.echolab.common.DurationConverter;
import io.echolab.common.ExitMapper;
import io.echolab.common.Failure;
import io.echolab.common.Host;
import io.echolab.common.OneLineErrors;
import io.echolab.common.PortConverter;
import io.echolab.common.Situation;
import io.echolab.common.StopSignals;
import io.echolab.common.VersionProvider;
import io.echolab.watcher.expect.Expectation;
import io.echolab.watcher.expect.Verdict;
import io.echolab.watcher.metrics.MetricsServer;
import io.echolab.watcher.model.CloseWaitAlert;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.netlink.Stdout;
import io.echolab.watcher.owner.SocketOwners;
import io.echolab.watcher.proc.MalformedProcRowException;
import io.echolab.watcher.report.AddressText;
import io.echolab.watcher.report.AlertRenderer;
import io.echolab.watcher.report.ExpectRenderer;
import io.echolab.watcher.report.TimelineRenderer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** The state-watcher program: the article's netstat loop, reading the kernel's socket tables directly. */
@Command(name = "state-watcher", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Watch the kernel's TCP states the way the article's loop (date; netstat -a | grep PORT; "
                + "sleep 0.001) did, but from the kernel directly: every state, TIME_WAIT and orphaned FIN_WAIT2 "
                + "included, with their timers. As root it hears every transition from the "
                + "sock:inet_sock_set_state tracepoint, SYN_SENT and LAST_ACK too; otherwise it polls "
                + "NETLINK_SOCK_DIAG as ss does, or /proc/net/tcp. IPv4-mapped addresses (::ffff:127.0.0.1) "
                + "are shown as IPv4.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:watched until --duration, Ctrl-C or SIGTERM",
            "1:a bug (the message says what)",
            "2:bad options",
            "3:an --expect was not met (a line says what was seen instead)",
            "65:a row of /proc/net/tcp did not parse (the message names it)",
            "66:no such process (--pid) or no such table (--proc-root)",
            "68:unknown host (--metrics-address)",
            "69:--backend trace cannot be had here (no tracefs, or no such tracepoint); --metrics-address is not this "
                + "host's",
            "74:reading the kernel's table failed, or standard output closed",
            "75:the --metrics-port is in use",
            "77:permission denied: --backend trace without root, another user's --pid, an unreadable --proc-root, a "
                + "--metrics-port below 1024 without root",
            "130:a second Ctrl-C, or a watch that could not end within 5 s of the first: ended at once, its tracefs "
                + "instance removed",
            "143:the same after SIGTERM"},
        footerHeading = "%nExamples:%n",
        footer = {
            "  state-watcher --port 11233                  the article's loop, on changes",
            "  state-watcher --port 11233 --every-poll     every poll, as the shell loop",
            "  state-watcher --port 11233 --format timeline    states and durations at exit",
            "  state-watcher --port 11233 --format jsonl | jq -r .state",
            "  state-watcher --pid 4242 --duration 90s     a container's namespace, 90 s",
            "  sudo state-watcher --backend trace --port 11233  every transition, timed",
            "  state-watcher --port 11233 --alert-close-wait 30s    warn of a server that never closes",
            "  state-watcher --port 11233 --metrics-port 9464     Prometheus metrics on 127.0.0.1:9464",
            "  state-watcher --port 11233 --duration 90s --expect 'client:ESTABLISHED,FIN_WAIT2,TIME_WAIT,CLOSED'",
            "                                              exit 0 once the client has closed that way"})
public final class StateWatcherCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", converter = WatchedPortConverter.class,
            description = "Watch the sockets with PORT at either end: the listener, its accepted sockets and "
                    + "their clients. Repeatable. Default: every socket.")
    List<Integer> ports = new ArrayList<>();

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10ms", converter = DurationConverter.class,
            description = "Time from one poll to the next (default: ${DEFAULT-VALUE}, 100 polls a second). 1ms works, at more CPU. "
                    + "Polled, states shorter than a poll (SYN_SENT, LAST_ACK on loopback) are seen only by chance; with "
                    + "the trace backend every transition is seen, and polls only look up time-wait sockets and details.")
    Duration interval;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 90s. Default: until Ctrl-C or SIGTERM, which end cleanly "
                    + "(exit code 0, timeline printed).")
    Duration duration;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "netstat", converter = OutputFormat.Names.class,
            completionCandidates = OutputFormat.Names.class,
            description = "netstat (default): a timestamp line (date and time to the millisecond) and the rows "
                    + "as netstat -ant prints them, each time the sockets or their states change. "
                    + "jsonl: one JSON object per change (new, change, gone, update), for jq, with the process that "
                    + "held the socket; times in UTC, to the microsecond with the trace backend; the first line says "
                    + "which backend. timeline: at exit, each connection's states with when they began and how long "
                    + "they lasted, and its owner.")
    OutputFormat format;

    @Option(names = "--every-poll",
            description = "With --format netstat: print every poll, even when nothing changed, as the shell loop did.")
    boolean everyPoll;

    @Option(names = "--pid", paramLabel = "PID",
            description = "Watch the network namespace of process PID, e.g. a container's: netlink and the tracepoint "
                    + "enter it as root; otherwise /proc/PID/net/tcp is read.")
    Integer pid;

    @Option(names = "--proc-root", paramLabel = "DIR",
            description = "Read DIR/net/tcp and DIR/net/tcp6 instead of /proc's: saved tables, fixtures.")
    Path procRoot;

    @Option(names = "--backend", paramLabel = "BACKEND", defaultValue = "auto", converter = BackendChoice.Names.class,
            completionCandidates = BackendChoice.Names.class,
            description = "Where the states come from: ${COMPLETION-CANDIDATES}. trace: the sock:inet_sock_set_state "
                    + "tracepoint, every transition with the kernel's timestamp (root; a private tracefs instance, "
                    + "removed at exit), with netlink for time-wait sockets. netlink: NETLINK_SOCK_DIAG, as ss, the port "
                    + "filter applied in the kernel. procfs: /proc/net/tcp{,6}, as netstat. auto (default): trace "
                    + "where it can, else netlink, else procfs.")
    BackendChoice backend;

    @Option(names = "--expect", paramLabel = "SPEC", converter = Expectation.Converter.class,
            description = "Exit 0 only if a connection goes through these states in order; else exit 3 with one line "
                    + "saying what it went through instead. The watch ends as soon as that is decided, or at --duration. "
                    + "SPEC is [SIDE:]STEP,STEP... SIDE: client (its remote port is a --port), server (accepted: its "
                    + "local port is a --port, with a peer), listener, or any (default). STEP: a state as netstat names "
                    + "it, optionally bounded (CLOSE_WAIT>=2s, FIN_WAIT2<=500ms), or CLOSED for the socket gone (last). "
                    + "Brief states (SYN_SENT, SYN_RECV, FIN_WAIT1, LAST_ACK, CLOSING) may come between listed ones "
                    + "unlisted; polled (any backend but trace), one listed without a bound counts as passed when no "
                    + "poll saw it. Met as soon as a connection on that side has gone through the steps; failed as soon "
                    + "as every one on that side has ended without them. Repeatable: each must be met. "
                    + "E.g. 'client:ESTABLISHED,FIN_WAIT2,TIME_WAIT,CLOSED' or 'server:CLOSE_WAIT>=2s'.")
    List<Expectation> expectations = new ArrayList<>();

    @Option(names = "--alert-close-wait", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Warn, one line on standard error, when a socket stays in CLOSE_WAIT longer than DURATION "
                    + "(e.g. 30s): its peer has closed and its program has not called close(), the classic leak. Once "
                    + "per connection, naming the process that holds it; with --format jsonl also an "
                    + "{\"event\":\"alert\",...} line among the changes.")
    Duration alertCloseWait;

    @Option(names = "--metrics-port", paramLabel = "PORT", converter = PortConverter.class,
            description = "Serve Prometheus metrics on http://ADDR:PORT/metrics while watching: the sockets in each "
                    + "state (echolab_tcp_connections{state=\"CLOSE_WAIT\"}), the oldest CLOSE_WAIT's age and how long "
                    + "each lasted, the --alert-close-wait warnings, the backend. 0 lets the kernel choose; the address "
                    + "is printed on standard error.")
    Integer metricsPort;

    @Option(names = "--metrics-address", paramLabel = "ADDR", converter = Host.Converter.class,
            description = "The address --metrics-port listens on (default: 127.0.0.1, loopback only: say 0.0.0.0 or "
                    + "this host's address for a Prometheus elsewhere).")
    Host metricsAddress;

    @Option(names = {"-v", "--verbose"}, description = "Say on standard error which backend is used, and why others were not.")
    boolean verbose;

    /** Whether standard output's reader has gone, asked without writing; main asks the kernel. */
    private final BooleanSupplier readerGone;

    StateWatcherCommand(BooleanSupplier readerGone) {
        this.readerGone = readerGone;
    }

    public static void main(String[] args) {
        System.exit(OneLineErrors.install(new CommandLine(new StateWatcherCommand(Stdout::readerGone))).execute(args));
    }

    /**
     * The command line as main runs it, for tests that set its output: usage errors and failures are one line
     * on stderr, never a stack trace.
     */
    public static CommandLine newCommandLine() {
        return OneLineErrors.install(new CommandLine(new StateWatcherCommand(() -> false)));
    }

    @Override
    public Integer call() {
        WatchOptions options = options();
        CheckOptions checks = checks(options);
        PrintWriter err = spec.commandLine().getErr();
        Output out = new Output(spec.commandLine().getOut(), readerGone);
        Clock clock = Clock.systemUTC();
        ZoneId zone = ZoneId.systemDefault();

        // Signals first: a Ctrl-C between opening the backend and watching still ends the run our way. The first
        // stops the watch, which ends as --duration ends it (exit 0, the timeline printed); a second, or a watch
        // still not ended after the grace period, removes what the backend made (a tracefs instance) and halts.
        AtomicBoolean stopRequested = new AtomicBoolean();
        AtomicReference<Watcher> running = new AtomicReference<>();
        AtomicReference<Backend> opened = new AtomicReference<>();
        Runnable stop = () -> {
            stopRequested.set(true);
            Watcher watcher = running.get();
            if (watcher != null) {
                watcher.stop();
            }
        };
        Runnable release = () -> {
            Backend backend = opened.get();
            if (backend != null) {
                backend.close();
            }
        };
        try (StopSignals signals = StopSignals.install(Thread.currentThread(), stop, release)) {
            return watch(options, checks, out, err, clock, zone, stopRequested, running, opened);
        }
    }

    private int watch(WatchOptions options, CheckOptions checks, Output out, PrintWriter err, Clock clock, ZoneId zone,
            AtomicBoolean stopRequested, AtomicReference<Watcher> running, AtomicReference<Backend> opened) {
        // Configure
        Backend source;
        try {
            source = Backends.open(options.backend(), options.ports(), options.procRoot(), options.pid(),
                    procRoot != null, line -> say(err, line), verbose);
        } catch (Backends.Unavailable e) {
            return fail(e.failure());
        } catch (IOException e) {
            return fail(failure(e, options.pid()));
        }
        opened.set(source);
        try (source) {
            if (verbose) {
                say(err, "state-watcher: " + Backends.describe(source, Optional.ofNullable(procRoot)));
            }
            // Owners are looked up in this machine's /proc; a --proc-root's inodes are another's
            List<WatchListener> listeners = new ArrayList<>();
            Function<ConnectionKey, Optional<Owner>> owners = key -> Optional.empty();
            if (procRoot == null) {
                OwnerTracker tracker = new OwnerTracker(new SocketOwners(Path.of("/proc")));
                listeners.add(tracker);
                owners = tracker::owner;
            }
            Timeline timeline = new Timeline(owners);
            // Each CLOSE_WAIT alert is a warning on stderr, and goes wherever else it is shown
            List<Consumer<CloseWaitAlert>> alerted = new ArrayList<>();
            alerted.add(alert -> say(err, "state-watcher: " + AlertRenderer.line(alert, zone)));
            switch (options.format()) {
                case NETSTAT -> listeners.add(new NetstatPrinter(out, zone, options.everyPoll(), source.kernelTimestamps()));
                case JSONL -> {
                    JsonlPrinter jsonl = new JsonlPrinter(out, source.kernelTimestamps(), owners);
                    jsonl.start(clock.instant(), source.name(), List.copyOf(options.ports()));
                    listeners.add(jsonl);
                    alerted.add(jsonl::alert);
                }
                case TIMELINE -> listeners.add(timeline);
            }
            List<Consumer<Duration>> closeWaitsEnded = new ArrayList<>();
            CloseWaits closeWaits = new CloseWaits(checks.alertCloseWait(), owners,
                    alert -> alerted.forEach(sink -> sink.accept(alert)), lasted -> closeWaitsEnded.forEach(s -> s.accept(lasted)));

            // Metrics: served from here on, stopped on every way out below
            Optional<MetricsServer> metrics = Optional.empty();
            if (checks.metricsPort().isPresent()) {
                StateCounts counts = new StateCounts();
                try {
                    metrics = Optional.of(serveMetrics(checks, counts, () -> closeWaits.oldest(clock.instant())));
                } catch (CannotServe e) {
                    return fail(e.failure);
                }
                MetricsServer server = metrics.get();
                server.watching(source.name(), options.ports().stream().sorted().map(String::valueOf)
                        .collect(Collectors.joining(",")));
                alerted.add(alert -> server.alerted());
                closeWaitsEnded.add(server::closeWaitEnded);
                listeners.add(counts);
                say(err, "state-watcher: Prometheus metrics at http://" + AddressText.hostPort(server.address()) + "/metrics");
            }
            if (checks.alertCloseWait().isPresent() || metrics.isPresent()) {
                listeners.add(closeWaits);
            }
            if (!checks.expectations().isEmpty() && options.format() != OutputFormat.TIMELINE) {
                listeners.add(timeline);
            }
            Expectations expectations = new Expectations(checks.expectations(), options.ports(), timeline,
                    !source.kernelTimestamps(), () -> running.get().stop());
            if (!checks.expectations().isEmpty()) {
                listeners.add(expectations);
            }
            listeners.add(out);
            try {
                Watcher watcher = new Watcher(source, options.interval(), clock, listeners);
                running.set(watcher);
                if (stopRequested.get()) {
                    watcher.stop();
                }

                // Watch
                int exitCode = Situation.DONE.exitCode();
                try {
                    if (options.duration().isPresent()) {
                        watcher.runFor(options.duration().get());
                    } else {
                        watcher.run();
                    }
                } catch (IOException e) {
                    exitCode = fail(failure(e, options.pid()));
                }

                // Report
                List<Connection> connections = timeline.connections();
                if (options.format() == OutputFormat.TIMELINE && (exitCode == Situation.DONE.exitCode() || !connections.isEmpty())) {
                    out.print(TimelineRenderer.render(connections, clock.instant(), zone));
                }
                if (!checks.expectations().isEmpty() && exitCode == Situation.DONE.exitCode()) {
                    List<Verdict> verdicts = expectations.verdicts(clock.instant());
                    verdicts.forEach(v -> say(err, "state-watcher: " + ExpectRenderer.line(v, options.ports())));
                    if (!verdicts.stream().allMatch(Verdict::met)) {
                        exitCode = Situation.NOT_MET.exitCode();
                    }
                }
                if (verbose && source instanceof TraceBackend trace) {
                    say(err, "state-watcher: " + trace.lostEvents() + " events lost by the ring buffer, " + trace.leftOut()
                            + " connections left out (another network namespace's, or gone before they could be placed)");
                }
                return exitCode;
            } finally {
                metrics.ifPresent(MetricsServer::close);
            }
        } catch (UncheckedIOException e) {
            return Situation.OUTPUT_CLOSED.exitCode(); // nobody is left to tell
        }
    }

    /** Why the metrics cannot be served, as one line and an exit code. */
    private static final class CannotServe extends Exception {
        private final Failure failure;

        CannotServe(Failure failure) {
            super(failure.message(), null, false, false);
            this.failure = failure;
        }
    }

    /** Starts the metrics' HTTP server on --metrics-address and --metrics-port. */
    private static MetricsServer serveMetrics(CheckOptions checks, StateCounts counts,
            Supplier<Optional<Duration>> oldestCloseWait) throws CannotServe {
        InetAddress address;
        try {
            address = checks.metricsAddress().resolve();
        } catch (UnknownHostException e) {
            Failure unknown = checks.metricsAddress().unknown(e);
            throw new CannotServe(ExitMapper.failure(unknown.situation(), "--metrics-address: " + unknown.message()));
        }
        InetSocketAddress where = new InetSocketAddress(address, checks.metricsPort().getAsInt());
        try {
            return MetricsServer.start(where, counts::now, oldestCloseWait);
        } catch (IOException e) {
            throw new CannotServe(ExitMapper.failure("--metrics-port " + where.getPort() + ": cannot listen on "
                    + AddressText.hostPort(where), e));
        }
    }

    private static void say(PrintWriter err, String line) {
        err.println(line);
        err.flush();
    }

    private CheckOptions checks(WatchOptions options) {
        try {
            if (metricsAddress != null && metricsPort == null) {
                throw new IllegalArgumentException("--metrics-address needs --metrics-port");
            }
            return new CheckOptions(expectations, Optional.ofNullable(alertCloseWait),
                    metricsPort == null ? OptionalInt.empty() : OptionalInt.of(metricsPort),
                    metricsAddress == null ? CheckOptions.LOOPBACK : metricsAddress).against(options.ports());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private WatchOptions options() {
        if (pid != null && procRoot != null) {
            throw new ParameterException(spec.commandLine(), "--pid and --proc-root cannot be used together");
        }
        Path root = procRoot != null ? procRoot : pid != null ? Path.of("/proc", pid.toString()) : Path.of("/proc");
        try {
            return new WatchOptions(new LinkedHashSet<>(ports), interval, Optional.ofNullable(duration), root,
                    pid == null ? OptionalInt.empty() : OptionalInt.of(pid), format, everyPoll, backend);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private int fail(Failure failure) {
        spec.commandLine().getErr().println("state-watcher: " + failure.message());
        spec.commandLine().getErr().flush();
        return failure.exitCode();
    }

    /**
     * A failed read of the kernel's table as one line and the situation it puts the watcher in: the mapper's,
     * in the watcher's words (which process, which file).
     */
    static Failure failure(IOException e, OptionalInt pid) {
        if (e instanceof MalformedProcRowException) {
            return ExitMapper.failure(Situation.MALFORMED_INPUT, e.getMessage());
        }
        String file = e instanceof FileSystemException fse && fse.getFile() != null ? fse.getFile() : "the table";
        String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : e instanceof AccessDeniedException ? "Permission denied"
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        Situation situation = ExitMapper.situation(e);
        return switch (situation) {
            case NO_SUCH_INPUT -> ExitMapper.failure(situation, pid.isPresent()
                    ? "no process " + pid.getAsInt() + " (" + file + " does not exist)"
                    : file + ": No such file or directory");
            case PERMISSION_DENIED -> ExitMapper.failure(situation, file + ": " + reason
                    + (pid.isPresent() ? " (process " + pid.getAsInt() + " is another user's: try as root)" : ""));
            case INTERRUPTED -> ExitMapper.failure(situation, "interrupted while reading " + file);
            default -> ExitMapper.failure(Situation.READ_FAILED, "cannot read " + file + ": " + reason);
        };
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
