package io.echolab.watcher;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.echolab.watcher.model.TcpSocket;

/**
 * The netstat loop done right: polls its {@link Backend} every interval, and between polls applies what the
 * backend heard (the tracepoint's transitions) as soon as it is woken; listeners hear each change, then
 * every poll's sockets.
 *
 * <p>Polls run on the thread that calls {@link #run()} or {@link #runFor}; {@link #stop()} may be called from
 * any thread, and stops this watcher for good. Listeners are called on the polling thread. The watcher does
 * not close its backend: its owner does.
 */
public final class Watcher {

    /**
     * How long an idle watcher sleeps between polls (with the tracepoint, when nothing is watched yet): a
     * transition wakes it at once; this only bounds how late it notices its output's reader has gone.
     */
    public static final Duration IDLE_WAIT = Duration.ofMillis(200);

    private final Backend backend;
    private final long intervalNanos;
    private final Clock clock;
    private final List<WatchListener> listeners;
    private final ConnectionTable table;

    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean woken = new AtomicBoolean();
    private final AtomicReference<Thread> runner = new AtomicReference<>();
    private final Object pollLock = new Object();
    private final boolean everyPoll;
    private boolean started;

    /**
     * @param interval time from the start of one poll to the start of the next; more than zero
     * @param clock    stamps each poll
     */
    public Watcher(Backend backend, Duration interval, Clock clock, List<WatchListener> listeners) {
        this.backend = Objects.requireNonNull(backend, "backend");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be more than 0, not " + interval);
        }
        this.intervalNanos = saturatedNanos(interval);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listeners = List.copyOf(listeners);
        this.everyPoll = listeners.stream().anyMatch(WatchListener::everyPoll);
        this.table = new ConnectionTable((time, changes, view) ->
                this.listeners.forEach(listener -> listener.onChanges(time, changes, view)));
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
     * One poll: what the backend heard since the last, then the kernel's table now; listeners hear the
     * changes, then the sockets.
     */
    public void poll() throws IOException {
        synchronized (pollLock) {
            startOnce();
            backend.drain(table);
            table.flush();
            Backend.Sample sample = backend.poll(clock, table);
            table.flush();
            listeners.forEach(listener -> listener.onSample(sample.at(), sample.view()));
        }
    }

    private void drain() throws IOException {
        synchronized (pollLock) {
            backend.drain(table);
            table.flush();
        }
    }

    private void startOnce() throws IOException {
        if (!started) {
            started = true;
            backend.start(this::wake);
        }
    }

    /** Called by the backend, on any thread, when it has something to drain. */
    private void wake() {
        woken.set(true);
        Thread thread = runner.get();
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    private void loop(long budgetNanos) throws IOException {
        Thread self = Thread.currentThread();
        if (!runner.compareAndSet(null, self)) {
            throw new IllegalStateException("this watcher is already running");
        }
        try {
            long start = System.nanoTime();
            long end = budgetNanos == Long.MAX_VALUE ? Long.MAX_VALUE : start + budgetNanos;
            long next = start;
            while (!stopped.get() && !self.isInterrupted()) {
                poll();
                // Schedule by deadline, so a slow poll does not push every later one back.
                next += intervalNanos;
                long now = System.nanoTime();
                if (next - now < 0) {
                    next = now;
                }
                waitUntil(next, end, self);
                if (end != Long.MAX_VALUE && System.nanoTime() - end >= 0) {
                    return;
                }
            }
        } finally {
            runner.set(null);
        }
    }

    /**
     * Waits until the next poll's deadline (later while the backend is idle), the end, a stop or an interrupt,
     * draining the backend whenever it wakes us.
     */
    private void waitUntil(long next, long end, Thread self) throws IOException {
        long idleUntil = System.nanoTime() + IDLE_WAIT.toNanos();
        while (!stopped.get() && !self.isInterrupted()) {
            long deadline = idle() && idleUntil - next > 0 ? idleUntil : next;
            if (end != Long.MAX_VALUE && deadline - end > 0) {
                deadline = end;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            if (woken.getAndSet(false)) {
                drain();
                continue;
            }
            LockSupport.parkNanos(this, left);
        }
    }

    private boolean idle() {
        synchronized (pollLock) {
            return !everyPoll && backend.idle(table);
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
