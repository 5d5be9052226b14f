package io.echolab.watcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.echolab.common.ExitMapper;
import io.echolab.common.Failure;
import io.echolab.common.Situation;
import io.echolab.watcher.netlink.NativeCallException;
import io.echolab.watcher.netlink.SockDiag;
import io.echolab.watcher.trace.TraceSession;
import io.echolab.watcher.trace.TraceUnavailableException;

/**
 * Picks and opens the backend {@code --backend} asks for. {@code auto} takes the best this machine allows:
 * the tracepoint where the watcher is root and tracefs can be had, else netlink, else /proc. An explicit
 * netlink that cannot be opened falls back to /proc with one line saying why; an explicit trace that cannot
 * be had is an error.
 */
final class Backends {

    /** A backend that cannot be had, as one line for the user and the situation that decides the exit code. */
    static final class Unavailable extends Exception {
        private final Situation situation;

        Unavailable(String message, Situation situation) {
            super(message, null, false, false);
            this.situation = situation;
        }

        Failure failure() {
            return ExitMapper.failure(situation, getMessage());
        }
    }

    private Backends() {
    }

    /**
     * @param procRoot where the tables are: /proc, /proc/PID, or saved tables (--proc-root: procfs only)
     * @param pid      the process whose network namespace to watch (--pid)
     * @param savedTables true when procRoot holds saved tables rather than a live /proc
     * @param say      where the lines for the user go: why a backend was passed over
     * @param verbose  also say why auto passed one over, and which it took
     */
    static Backend open(BackendChoice choice, Set<Integer> ports, Path procRoot, OptionalInt pid, boolean savedTables,
            Consumer<String> say, boolean verbose) throws Unavailable, IOException {
        if (savedTables) {
            if (choice != BackendChoice.AUTO && choice != BackendChoice.PROCFS) {
                throw new Unavailable("--proc-root reads saved tables: only --backend procfs can read them", Situation.BAD_USAGE);
            }
            return Backend.procfs(procRoot, ports);
        }
        Consumer<String> note = verbose ? say : line -> { };
        switch (choice) {
            case PROCFS:
                return Backend.procfs(procRoot, ports);
            case NETLINK:
                return netlinkOr(procfs(procRoot, ports), ports, pid, say);
            case TRACE:
                try {
                    return trace(ports, pid);
                } catch (TraceUnavailableException e) {
                    if (e.permission()) {
                        throw new Unavailable("the trace backend needs root (" + e.getMessage()
                                + "): run it with sudo, or use --backend netlink", Situation.PERMISSION_DENIED);
                    }
                    throw new Unavailable("the tracepoint cannot be used here: " + e.getMessage()
                            + " (use --backend netlink)", Situation.UNAVAILABLE);
                } catch (NativeCallException e) {
                    throw new Unavailable("the trace backend needs netlink, which failed: " + e.getMessage(),
                            e.permissionDenied() ? Situation.PERMISSION_DENIED : Situation.UNAVAILABLE);
                }
            default:
                try {
                    return trace(ports, pid);
                } catch (IOException e) {
                    note.accept("state-watcher: backend trace passed over: " + e.getMessage());
                }
                return netlinkOr(procfs(procRoot, ports), ports, pid, note);
        }
    }

    private static Opener procfs(Path procRoot, Set<Integer> ports) {
        return () -> Backend.procfs(procRoot, ports);
    }

    /** Something that opens a backend. */
    private interface Opener {
        Backend open() throws IOException;
    }

    private static Backend netlinkOr(Opener fallback, Set<Integer> ports, OptionalInt pid, Consumer<String> say)
            throws IOException {
        try {
            return Backend.netlink(socket(pid), ports);
        } catch (IOException e) {
            say.accept("state-watcher: netlink cannot be used (" + e.getMessage() + "): reading "
                    + (pid.isPresent() ? "/proc/" + pid.getAsInt() : "/proc") + "/net/tcp instead");
            return fallback.open();
        }
    }

    private static SockDiag socket(OptionalInt pid) throws IOException {
        return pid.isPresent() ? SockDiag.openInNamespaceOf(pid.getAsInt()) : SockDiag.open();
    }

    static Backend trace(Set<Integer> ports, OptionalInt pid) throws IOException {
        long owner = pid.isPresent() ? pid.getAsInt() : ProcessHandle.current().pid();
        String namespace = TraceBackend.namespaceOf(owner)
                .orElseThrow(() -> new IOException("cannot read /proc/" + owner + "/ns/net"));
        SockDiag netlink = socket(pid);
        AtomicReference<TraceBackend> backend = new AtomicReference<>();
        try {
            TraceSession session = TraceSession.open(ports, () -> {
                TraceBackend b = backend.get();
                if (b != null) {
                    b.onEvents();
                }
            });
            backend.set(new TraceBackend(session, netlink, ports, namespace,
                    task -> TraceBackend.namespaceOf(task)));
            return backend.get();
        } catch (IOException | RuntimeException e) {
            netlink.close();
            throw e;
        }
    }

    /** For --verbose: how the backend watches. */
    static String describe(Backend backend, Optional<Path> procRoot) {
        if (backend instanceof TraceBackend trace) {
            return "backend trace: sock:inet_sock_set_state in " + trace.instance()
                    + ", time-wait sockets and details over NETLINK_SOCK_DIAG";
        }
        return switch (backend.name()) {
            case "netlink" -> "backend netlink: NETLINK_SOCK_DIAG dumps, filtered in the kernel";
            default -> "backend procfs: " + procRoot.map(Path::toString).orElse("/proc") + "/net/tcp and tcp6";
        };
    }
}
