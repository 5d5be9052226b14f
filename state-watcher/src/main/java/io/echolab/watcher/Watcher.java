package io.echolab.watcher;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;

/**
 * The netstat loop done right: samples the socket table every interval, keeps the rows that pass the filter,
 * and tells listeners what changed since the poll before.
 *
 * <p>Polls run on the thread that calls {@link #run()} or {@link #runFor}; {@link #stop()} may be called from
 * any thread, and stops this watcher for good. Listeners are called on the polling thread.
 */
public final class Watcher {

    /** Where rows come from: {@code () -> ProcNetTcp.read(procRoot)} in production, a script in tests. */
    @FunctionalInterface
    public interface SocketSource {
        List<TcpSocket> sample() throws IOException;
    }

    /** What the poll before saw of one connection. */
    private record Seen(TcpState state, Instant since, boolean startSeen) {
    }

    private final SocketSource source;
    private final Predicate<TcpSocket> filter;
    private final long intervalNanos;
    private final Clock clock;
    private final List<WatchListener> listeners;

    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicReference<Thread> runner = new AtomicReference<>();
    private final Object pollLock = new Object();
    /** Null before the first poll. Guarded by pollLock. */
    private Map<ConnectionKey, Seen> previous;

    /**
     * @param interval time from the start of one poll to the start of the next; more than zero
     * @param clock    stamps each poll's changes and samples
     */
    public Watcher(SocketSource source, Predicate<TcpSocket> filter, Duration interval, Clock clock,
            List<WatchListener> listeners) {
        this.source = Objects.requireNonNull(source, "source");
        this.filter = Objects.requireNonNull(filter, "filter");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be more than 0, not " + interval);
        }
        this.intervalNanos = saturatedNanos(interval);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listeners = List.copyOf(listeners);
    }

    /** Polls until {@link #stop()} is called or the thread is interrupted. */
    public void run() throws IOException {
        loop(Long.MAX_VALUE);
    }

    /** Polls for {@code duration} (the first poll at once), or until stopped. */
    public void runFor(Duration duration) throws IOException {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration cannot be negative: " + duration);
        }
        loop(saturatedNanos(duration));
    }

    /** Ends {@link #run()} or {@link #runFor} after the poll in progress; later calls to them return at once. */
    public void stop() {
        stopped.set(true);
        Thread thread = runner.get();
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** True once {@link #stop()} has been called. */
    public boolean isStopped() {
        return stopped.get();
    }

    /**
     * One poll: sample, filter, and tell the listeners what changed, in the order the rows appear in /proc,
     * then the vanished connections; then the sample itself.
     */
    public void poll() throws IOException {
        synchronized (pollLock) {
            List<TcpSocket> matching = source.sample().stream().filter(filter).toList();
            Instant now = clock.instant();
            List<StateChange> changes = diff(now, matching);
            for (StateChange change : changes) {
                listeners.forEach(listener -> listener.onChange(change));
            }
            listeners.forEach(listener -> listener.onSample(now, matching));
        }
    }

    private List<StateChange> diff(Instant now, List<TcpSocket> matching) {
        boolean first = previous == null;
        Map<ConnectionKey, Seen> before = first ? Map.of() : previous;
        Map<ConnectionKey, Seen> current = new LinkedHashMap<>();
        List<StateChange> changes = new ArrayList<>();
        for (TcpSocket row : matching) {
            ConnectionKey key = ConnectionKey.of(row);
            if (current.containsKey(key)) {
                // Two rows, one identity (SO_REUSEPORT listeners, or a row read twice): one connection.
                continue;
            }
            Seen seen = before.get(key);
            if (seen == null) {
                changes.add(StateChange.appeared(now, row, first));
                current.put(key, new Seen(row.state(), now, !first));
            } else if (seen.state() != row.state()) {
                changes.add(new StateChange(now, key, row.state(), seen.state(), Duration.between(seen.since(), now),
                        seen.startSeen(), row, false));
                current.put(key, new Seen(row.state(), now, true));
            } else {
                current.put(key, seen);
            }
        }
        before.forEach((key, seen) -> {
            if (!current.containsKey(key)) {
                changes.add(new StateChange(now, key, null, seen.state(), Duration.between(seen.since(), now),
                        seen.startSeen(), null, false));
            }
        });
        previous = current;
        return changes;
    }

    private void loop(long budgetNanos) throws IOException {
        Thread self = Thread.currentThread();
        if (!runner.compareAndSet(null, self)) {
            throw new IllegalStateException("this watcher is already running");
        }
        try {
            long start = System.nanoTime();
            long next = start;
            while (!stopped.get() && !self.isInterrupted()) {
                poll();
                // Schedule by deadline, so a slow poll does not push every later one back.
                next += intervalNanos;
                long now = System.nanoTime();
                if (next - now < 0) {
                    next = now;
                }
                if (budgetNanos != Long.MAX_VALUE && next - start >= budgetNanos) {
                    parkUntil(start + budgetNanos, self);
                    return;
                }
                parkUntil(next, self);
            }
        } finally {
            runner.set(null);
        }
    }

    /** Parks until the deadline, a stop, or an interrupt; parkNanos may also return early for no reason. */
    private void parkUntil(long deadline, Thread self) {
        long left;
        while (!stopped.get() && !self.isInterrupted() && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
