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
import java.util.function.Function;

import io.echolab.common.DurationConverter;
import io.echolab.common.ExitCode;
import io.echolab.common.OneLineErrors;
import io.echolab.common.PortConverter;
import io.echolab.common.VersionProvider;
import io.echolab.watcher.capture.PacketFilter;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.netlink.Stdout;
import io.echolab.watcher.owner.SocketOwners;
import io.echolab.watcher.proc.MalformedProcRowException;
import io.echolab.watcher.proc.TcpSysctls;
import io.echolab.watcher.report.CsvRenderer;
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
            "65:a row of /proc/net/tcp did not parse (the message names it)",
            "66:no such process (--pid) or no such table (--proc-root)",
            "69:--backend trace cannot be had here (no tracefs, or no such tracepoint)",
            "73:--svg or --ladder cannot be written (a directory, no such directory, no permission)",
            "74:reading the kernel's table failed, or standard output closed",
            "77:permission denied: --backend trace without root, or another user's --pid",
            "130:a second Ctrl-C: ended at once"},
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
            "  sudo state-watcher --port 11233 --svg s.svg --ladder l.svg   pictures at exit"})
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
            return fail(e.getMessage(), ExitCode.CANT_CREATE);
        }
        PrintWriter err = spec.commandLine().getErr();
        Output out = new Output(spec.commandLine().getOut(), readerGone);
        Clock clock = Clock.systemUTC();
        ZoneId zone = ZoneId.systemDefault();

        // Signals first: a Ctrl-C between opening the backend and watching still ends the run our way
        AtomicBoolean stopRequested = new AtomicBoolean();
        AtomicReference<Watcher> running = new AtomicReference<>();
        AtomicReference<Backend> opened = new AtomicReference<>();
        StopOnSignal signals = StopOnSignal.install(() -> {
            stopRequested.set(true);
            Watcher watcher = running.get();
            if (watcher != null) {
                watcher.stop();
            }
        }, () -> {
            Backend backend = opened.get();
            if (backend != null) {
                backend.close();
            }
            pictures.close();
        });
        try (pictures) {
            return watch(options, out, err, clock, zone, stopRequested, running, opened, pictures);
        } finally {
            signals.close();
        }
    }

    private int watch(WatchOptions options, Output out, PrintWriter err, Clock clock, ZoneId zone,
            AtomicBoolean stopRequested, AtomicReference<Watcher> running, AtomicReference<Backend> opened,
            Pictures pictures) {
        // Configure
        Backend source;
        try {
            source = Backends.open(options.backend(), options.ports(), options.procRoot(), options.pid(),
                    procRoot != null, line -> say(err, line), verbose);
        } catch (Backends.Unavailable e) {
            return fail(e.getMessage(), e.exitCode());
        } catch (IOException e) {
            Failure failure = Failure.of(e, options.pid());
            return fail(failure.message(), failure.exitCode());
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
                    }
                    case CSV -> {
                        ChangePrinter csv = new ChangePrinter(out, CsvRenderer::row, micros, owners);
                        csv.first(CsvRenderer.header());
                        listeners.add(csv);
                    }
                    case TIMELINE -> listeners.add(timeline);
                }
            }
            if (pictures.any() && options.format() != OutputFormat.TIMELINE) {
                listeners.add(timeline);
            }
            listeners.add(out);
            pictures.startCapture(options.pid(), procRoot != null, verbose ? line -> say(err, line) : line -> { },
                    line -> say(err, line));
            Watcher watcher = new Watcher(source, options.interval(), clock, listeners);
            running.set(watcher);
            if (stopRequested.get()) {
                watcher.stop();
            }

            // Watch
            int exitCode = ExitCode.OK;
            Instant started = clock.instant();
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
                drawPictures(pictures, timeline, started, clock, zone, source, options);
                throw e;
            }
            int drawn = drawPictures(pictures, timeline, started, clock, zone, source, options);
            if (exitCode == ExitCode.OK) {
                exitCode = drawn;
            }

            // Report
            List<Connection> connections = timeline.connections();
            if (options.format() == OutputFormat.TIMELINE && (exitCode == ExitCode.OK || !connections.isEmpty())) {
                Explanations.Kernel kernel = new Explanations.Kernel(finTimeout(options), source.kernelTimestamps());
                out.print(TimelineRenderer.render(connections, clock.instant(), zone, kernel));
            }
            if (summaryPrinter != null && exitCode == ExitCode.OK) {
                summaryPrinter.finish();
            }
            if (verbose && source instanceof TraceBackend trace) {
                say(err, "state-watcher: " + trace.lostEvents() + " events lost by the ring buffer, " + trace.leftOut()
                        + " connections left out (another network namespace's, or gone before they could be placed)");
            }
            return exitCode;
        } catch (UncheckedIOException e) {
            return ExitCode.IO; // standard output is gone: nobody to tell
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
            return ExitCode.OK;
        }
        try {
            pictures.write(timeline.connections(), started, clock.instant(), zone, describeSource(source, options));
            return ExitCode.OK;
        } catch (PictureFile.Unwritable e) {
            return fail(e.getMessage(), ExitCode.CANT_CREATE);
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
