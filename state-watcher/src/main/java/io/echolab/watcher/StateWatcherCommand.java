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
import java.time.Instant;
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
import io.echolab.watcher.capture.PacketFilter;
import io.echolab.watcher.expect.Expectation;
import io.echolab.watcher.expect.Verdict;
import io.echolab.watcher.metrics.MetricsServer;
import io.echolab.watcher.model.CloseWaitAlert;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.netlink.Stdout;
import io.echolab.watcher.owner.SocketOwners;
import io.echolab.watcher.proc.MalformedProcRowException;
import io.echolab.watcher.proc.TcpSysctls;
import io.echolab.watcher.report.AddressText;
import io.echolab.watcher.report.AlertRenderer;
import io.echolab.watcher.report.CsvRenderer;
import io.echolab.watcher.report.ExpectRenderer;
import io.echolab.watcher.report.Explanations;
import io.echolab.watcher.report.JsonlRenderer;
import io.echolab.watcher.report.NetstatRenderer;
import io.echolab.watcher.report.SsRenderer;
import io.echolab.watcher.report.TableColumns;
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
            "73:--svg or --ladder cannot be written (a directory, no such directory, no permission)",
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
            "  state-watcher --port 11233 -p -o            with each row's program and timer, as netstat -p -o",
            "  state-watcher --port 11233 --format ss -p -o    the same as ss -tanpo prints it",
            "  state-watcher --port 11233 --summary-every 1s   counts per state each second, peaks at exit",
            "  state-watcher --port 11233 --format timeline    states and durations at exit, with notes",
            "  state-watcher --port 11233 --format jsonl | jq -r .state",
            "  state-watcher --port 11233 --format csv > changes.csv",
            "  state-watcher --pid 4242 --duration 90s     a container's namespace, 90 s",
            "  sudo state-watcher --backend trace --port 11233  every transition, timed",
            "  sudo state-watcher --port 11233 --svg s.svg --ladder l.svg   pictures at exit",
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
                    + "ss: the same with ss -tan's header, rows and spellings (ESTAB, TIME-WAIT), columns as wide as "
                    + "ss makes them. "
                    + "jsonl: one JSON object per change (new, change, gone, update), for jq, with the process that "
                    + "held the socket; times in UTC (Z), to the millisecond, or to the microsecond with the trace "
                    + "backend (the kernel's timestamps); the first line says which backend. "
                    + "csv: a header row, then one row per change with jsonl's fields (RFC 4180 quoting; empty for null). "
                    + "timeline: at exit, each connection's states with when they began and how long they lasted, its "
                    + "owner, and a note where the kernel did something surprising (TIME_WAIT's fixed 60 s, an orphaned "
                    + "FIN_WAIT2 dropped after tcp_fin_timeout, a reset, a CLOSE_WAIT of 1 s or more).")
    OutputFormat format;

    @Option(names = "--svg", paramLabel = "FILE",
            description = "At exit, draw the timeline in FILE (SVG, for a browser): one lane per connection, "
                    + "labelled with its ends and its owner, its states coloured along one time axis, so the close "
                    + "delay (CLOSE_WAIT, FIN_WAIT2) and the 60 s TIME_WAIT show at a glance. Any backend, any "
                    + "--format; written through a temporary file, checked before watching starts.")
    Path svg;

    @Option(names = "--ladder", paramLabel = "FILE",
            description = "At exit, draw each connection on --port as a ladder diagram in FILE (SVG): the client's "
                    + "and the server's states down two columns, and between them the packets that moved them (SYN, "
                    + "SYN-ACK, ACK, data, FIN, RST) with their times, captured as root by a packet socket filtered "
                    + "in the kernel (in --pid's namespace with --pid). Without root, states only, and the picture "
                    + "says why. Needs --port.")
    Path ladder;

    @Option(names = "--every-poll",
            description = "With --format netstat or ss: print every poll, even when nothing changed, as the shell loop did.")
    boolean everyPoll;

    @Option(names = {"-p", "--owners"},
            description = "With --format netstat or ss: each socket's process, as netstat -p's PID/Program name column "
                    + "(4242/echo-server; - when unknown) or ss -p's users:((\"echo-server\",pid=4242,fd=5)). Kept after "
                    + "close(): a TIME_WAIT or orphaned FIN_WAIT2 row still names the program that closed it, where "
                    + "netstat and ss show nothing. A Java program is named by its jar or main class.")
    boolean owners;

    @Option(names = {"-o", "--timers"},
            description = "With --format netstat or ss: each socket's timer, as netstat -o prints it (off (0.00/0/0), "
                    + "on (0.20/0/0), keepalive (7199.96/0/0), timewait (59.87/0/0): seconds left, retransmits, "
                    + "unanswered probes) or ss -o (timer:(timewait,59sec,0)). A row is printed when a state changes, "
                    + "so its timer is the one at that moment.")
    boolean timers;

    @Option(names = "--summary",
            description = "With --format netstat or ss: instead of the rows, how many sockets are in each state, as "
                    + "netstat -n | awk '/^tcp/ {++S[$NF]} END {for(a in S) print a, S[a]}' prints them (STATE count "
                    + "lines under the timestamp), after each poll that changed a count; at exit, each state's peak "
                    + "and when it was reached. For a load of hundreds of connections, add --summary-every.")
    boolean summary;

    @Option(names = "--summary-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Print the counts every DURATION (e.g. 1s), changed or not, instead of at each change; "
                    + "implies --summary. The peaks at exit still count every change in between.")
    Duration summaryEvery;

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
        if (ladder != null && options.ports().isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                    "--ladder needs --port: the connections to draw, and the packets to capture");
        }
        if (ladder != null && options.ports().size() > PacketFilter.MAX_PORTS) {
            throw new ParameterException(spec.commandLine(),
                    "--ladder takes at most " + PacketFilter.MAX_PORTS + " ports (one kernel packet filter)");
        }
        if (svg != null && ladder != null && svg.toAbsolutePath().normalize().equals(ladder.toAbsolutePath().normalize())) {
            throw new ParameterException(spec.commandLine(), "--svg and --ladder name the same file, " + svg
                    + ": give each its own");
        }
        Pictures pictures;
        try {
            pictures = Pictures.check(svg, ladder, options.ports());
        } catch (PictureFile.Unwritable e) {
            return fail(ExitMapper.failure(Situation.CANNOT_CREATE, e.getMessage()));
        }
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
            pictures.close();
        };
        try (pictures; StopSignals signals = StopSignals.install(Thread.currentThread(), stop, release)) {
            return watch(options, checks, out, err, clock, zone, stopRequested, running, opened, pictures);
        }
    }

    private int watch(WatchOptions options, CheckOptions checks, Output out, PrintWriter err, Clock clock, ZoneId zone,
            AtomicBoolean stopRequested, AtomicReference<Watcher> running, AtomicReference<Backend> opened,
            Pictures pictures) {
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
            Function<ConnectionKey, Optional<Owner>> ownersNow = owners;
            boolean micros = source.kernelTimestamps();
            TableColumns columns = new TableColumns(this.owners, timers);
            SummaryPrinter summaryPrinter = null;
            if (summarized()) {
                Function<TcpState, String> names = options.format() == OutputFormat.SS ? SsRenderer::stateName
                        : TcpState::netstatName;
                summaryPrinter = new SummaryPrinter(out, zone, micros, names, Optional.ofNullable(summaryEvery));
                listeners.add(summaryPrinter);
            } else {
                switch (options.format()) {
                    case NETSTAT -> listeners.add(new TablePrinter(out, (time, view) ->
                            NetstatRenderer.snapshot(time, zone, view, micros, columns, ownersNow), options.everyPoll()));
                    case SS -> listeners.add(new TablePrinter(out, (time, view) ->
                            SsRenderer.snapshot(time, zone, view, micros, columns, ownersNow), options.everyPoll()));
                    case JSONL -> {
                        ChangePrinter jsonl = new ChangePrinter(out, JsonlRenderer::line, micros, owners);
                        jsonl.first(JsonlRenderer.start(clock.instant(), source.name(), List.copyOf(options.ports())));
                        listeners.add(jsonl);
                        alerted.add(alert -> out.print(List.of(JsonlRenderer.alert(alert, micros))));
                    }
                    case CSV -> {
                        ChangePrinter csv = new ChangePrinter(out, CsvRenderer::row, micros, owners);
                        csv.first(CsvRenderer.header());
                        listeners.add(csv);
                    }
                    case TIMELINE -> listeners.add(timeline);
                }
            }
            List<Consumer<Duration>> closeWaitsEnded = new ArrayList<>();
            CloseWaits closeWaits = new CloseWaits(checks.alertCloseWait(), owners,
                    alert -> alerted.forEach(sink -> sink.accept(alert)), lasted -> closeWaitsEnded.forEach(s -> s.accept(lasted)));

            // Metrics: served from here on, stopped on every way out below
            Optional<MetricsServer> metrics = Optional.empty();
            if (checks.metricsPort().isPresent()) {
                CurrentCounts counts = new CurrentCounts();
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
            // The pictures and the expectations read the timeline: built once, whatever the format
            if ((pictures.any() || !checks.expectations().isEmpty()) && options.format() != OutputFormat.TIMELINE) {
                listeners.add(timeline);
            }
            Expectations expectations = new Expectations(checks.expectations(), options.ports(), timeline,
                    !source.kernelTimestamps(), () -> running.get().stop());
            if (!checks.expectations().isEmpty()) {
                listeners.add(expectations);
            }
            listeners.add(out);
            pictures.startCapture(options.pid(), procRoot != null, verbose ? line -> say(err, line) : line -> { },
                    line -> say(err, line));
            try {
                Watcher watcher = new Watcher(source, options.interval(), clock, listeners);
                running.set(watcher);
                if (stopRequested.get()) {
                    watcher.stop();
                }

                // Watch
                int exitCode = Situation.DONE.exitCode();
                Instant started = clock.instant();
                try {
                    if (options.duration().isPresent()) {
                        watcher.runFor(options.duration().get());
                    } else {
                        watcher.run();
                    }
                } catch (IOException e) {
                    exitCode = fail(failure(e, options.pid()));
                } catch (UncheckedIOException e) {
                    drawPictures(pictures, timeline, started, clock, zone, source, options);
                    throw e;
                }
                int drawn = drawPictures(pictures, timeline, started, clock, zone, source, options);
                if (exitCode == Situation.DONE.exitCode()) {
                    exitCode = drawn;
                }

                // Report
                List<Connection> connections = timeline.connections();
                if (options.format() == OutputFormat.TIMELINE && (exitCode == Situation.DONE.exitCode() || !connections.isEmpty())) {
                    Explanations.Kernel kernel = new Explanations.Kernel(finTimeout(options), source.kernelTimestamps());
                    out.print(TimelineRenderer.render(connections, clock.instant(), zone, kernel));
                }
                if (summaryPrinter != null && exitCode == Situation.DONE.exitCode()) {
                    summaryPrinter.finish();
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
    private static MetricsServer serveMetrics(CheckOptions checks, CurrentCounts counts,
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

    private boolean summarized() {
        return summary || summaryEvery != null;
    }

    /**
     * The watched namespace's tcp_fin_timeout, for the timeline's notes: a --proc-root's saved sys/ if it has
     * one, this namespace's, or --pid's when it is this one (another namespace's sysctls cannot be read from
     * here without entering it).
     */
    private Optional<Duration> finTimeout(WatchOptions options) {
        if (procRoot != null) {
            return TcpSysctls.finTimeout(procRoot);
        }
        if (options.pid().isPresent()) {
            Optional<String> theirs = TraceBackend.namespaceOf(options.pid().getAsInt());
            if (theirs.isEmpty() || !theirs.equals(TraceBackend.namespaceOf(ProcessHandle.current().pid()))) {
                return Optional.empty();
            }
        }
        return TcpSysctls.finTimeout(Path.of("/proc"));
    }

    /** Writes the pictures asked for; their exit code (0, or 73 when a file could not be written after all). */
    private int drawPictures(Pictures pictures, Timeline timeline, Instant started, Clock clock, ZoneId zone,
            Backend source, WatchOptions options) {
        if (!pictures.any()) {
            return Situation.DONE.exitCode();
        }
        try {
            pictures.write(timeline.connections(), started, clock.instant(), zone, describeSource(source, options));
            return Situation.DONE.exitCode();
        } catch (PictureFile.Unwritable e) {
            return fail(ExitMapper.failure(Situation.CANNOT_CREATE, e.getMessage()));
        }
    }

    /** Where the states came from, for the pictures: the tracepoint's transitions, or polls every interval. */
    private static String describeSource(Backend source, WatchOptions options) {
        if (source instanceof TraceBackend) {
            return "the sock:inet_sock_set_state tracepoint (every transition, at the kernel's time)";
        }
        String every = options.interval().toMillis() >= 1 ? options.interval().toMillis() + " ms"
                : options.interval().toNanos() / 1000 + " \u00b5s";
        return (source.name().equals("netlink") ? "NETLINK_SOCK_DIAG" : "/proc/net/tcp") + " polled every " + every
                + " (a state is drawn when a poll first saw it)";
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
        checkTableOptions();
        Path root = procRoot != null ? procRoot : pid != null ? Path.of("/proc", pid.toString()) : Path.of("/proc");
        try {
            return new WatchOptions(new LinkedHashSet<>(ports), interval, Optional.ofNullable(duration), root,
                    pid == null ? OptionalInt.empty() : OptionalInt.of(pid), format, everyPoll, backend);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** --owners, --timers and --summary: the table formats' options, and not together where they cannot be. */
    private void checkTableOptions() {
        List<String> asked = new ArrayList<>();
        if (owners) {
            asked.add("--owners");
        }
        if (timers) {
            asked.add("--timers");
        }
        if (summary) {
            asked.add("--summary");
        }
        if (summaryEvery != null) {
            asked.add("--summary-every");
        }
        if (!asked.isEmpty() && !format.table()) {
            throw new ParameterException(spec.commandLine(), asked.get(0) + " only applies to --format netstat or ss");
        }
        if (summaryEvery != null && (summaryEvery.isNegative() || summaryEvery.isZero())) {
            throw new ParameterException(spec.commandLine(), "--summary-every must be more than 0");
        }
        if (summarized() && (owners || timers || everyPoll)) {
            String other = owners ? "--owners" : timers ? "--timers" : "--every-poll";
            throw new ParameterException(spec.commandLine(), other + " cannot be used with --summary: it prints counts, "
                    + "not rows" + (everyPoll ? " (--summary-every prints them at a pace)" : ""));
        }
        if (owners && procRoot != null) {
            throw new ParameterException(spec.commandLine(), "--owners cannot be used with --proc-root: a saved "
                    + "table's sockets belong to no process here");
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
