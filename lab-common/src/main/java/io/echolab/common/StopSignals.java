package io.echolab.common;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into an interrupt of the thread doing the program's work, so it ends its
 * own way: it closes its sockets, prints what it has to (a load summary), and returns. The program then ends
 * with {@link #exitCode(int)}: 130 after SIGINT, 143 after SIGTERM. If it has not ended within the grace
 * period, or at a second signal, the JVM halts with that code: nothing blocks a Ctrl-C for long.
 *
 * <p>A program that stops another way than by an interrupt (the watcher, whose reads of tracefs and netlink
 * an interrupt would break) gives its own {@code stop}; and what must not outlive the process even when
 * it is halted (the watcher's tracefs instance) as {@code release}, which runs before any halt. Halting
 * skips shutdown hooks, so release is the one place for that.
 *
 * <p>Uses sun.misc.Signal (module jdk.unsupported) through reflection, which compiles without the "internal
 * proprietary API" warning. Where it is missing, or the JVM started with SIGINT ignored (a background job of
 * a non-interactive shell), nothing is installed for that signal and the JVM's default stays.
 */
public final class StopSignals implements AutoCloseable {

    /** How long the program may take to end after the first signal. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private final List<Object[]> previous = new ArrayList<>();
    private final AtomicReference<Situation> received = new AtomicReference<>();
    /** Counted down by {@link #close()}: the program has ended its own way, and the grace deadline is off. */
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Runnable stop;
    private final Runnable release;

    private StopSignals(Runnable stop, Runnable release) {
        this.stop = stop;
        this.release = release;
    }

    /** Installs the handlers: a signal interrupts {@code worker}. */
    public static StopSignals install(Thread worker) {
        return install(worker, worker::interrupt, () -> { });
    }

    /**
     * Installs the handlers for a program that stops its own way: the first signal runs {@code stop} (on the
     * JVM's signal thread); a second signal, or {@code worker} still running at the end of the grace period
     * without {@link #close()} called, runs {@code release} and halts the JVM with the signal's code.
     */
    public static StopSignals install(Thread worker, Runnable stop, Runnable release) {
        StopSignals installed = new StopSignals(stop, release);
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            for (String name : List.of("INT", "TERM")) {
                Situation situation = name.equals("INT") ? Situation.INTERRUPTED : Situation.TERMINATED;
                Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(),
                        new Class<?>[] {handlerClass}, installed.handlerFor(situation, worker));
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                try {
                    installed.previous.add(new Object[] {signal, handle.invoke(null, signal, handler)});
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // This signal is the JVM's or the OS's (e.g. -Xrs): leave it as it is.
                }
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // No sun.misc.Signal: keep the JVM's default handling.
        }
        return installed;
    }

    private InvocationHandler handlerFor(Situation situation, Thread worker) {
        return (proxy, method, args) -> switch (method.getName()) {
            case "handle" -> {
                if (received.compareAndSet(null, situation)) {
                    stop.run();
                    Thread deadline = new Thread(() -> {
                        try {
                            ended.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (worker.isAlive() && ended.getCount() > 0) {
                            halt(situation);
                        }
                    }, "stop-deadline");
                    deadline.setDaemon(true);
                    deadline.start();
                } else {
                    halt(received.get());
                }
                yield null;
            }
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "stop on " + situation;
            default -> throw new UnsupportedOperationException(method.getName());
        };
    }

    private void halt(Situation situation) {
        try {
            release.run();
        } finally {
            Runtime.getRuntime().halt(situation.exitCode());
        }
    }

    /** The signal received, if any. */
    public Optional<Situation> received() {
        return Optional.ofNullable(received.get());
    }

    /** The code to exit with: the signal's when one came, else the program's own. */
    public int exitCode(int programExitCode) {
        return received().map(Situation::exitCode).orElse(programExitCode);
    }

    /** Gives the signals back to their previous handlers; the program has ended, so no grace deadline halts it. */
    @Override
    public void close() {
        ended.countDown();
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            for (Object[] entry : previous) {
                handle.invoke(null, entry[0], entry[1]);
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // Installed through the same calls, so this cannot fail in practice; the process is ending anyway.
        }
        previous.clear();
    }
}
