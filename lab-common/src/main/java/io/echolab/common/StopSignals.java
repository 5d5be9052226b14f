package io.echolab.common;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into an interrupt of the thread doing the program's work, so it ends its
 * own way: it closes its sockets, prints what it has to (a load summary), and returns. The program then ends
 * with {@link #exitCode(int)}: 130 after SIGINT, 143 after SIGTERM. If it has not ended within the grace
 * period, or at a second signal, the JVM halts with that code: nothing blocks a Ctrl-C for long.
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

    private StopSignals() {
    }

    /** Installs the handlers: a signal interrupts {@code worker}. */
    public static StopSignals install(Thread worker) {
        StopSignals installed = new StopSignals();
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
                    worker.interrupt();
                    Thread deadline = new Thread(() -> {
                        try {
                            worker.join(GRACE.toMillis());
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (worker.isAlive()) {
                            Runtime.getRuntime().halt(situation.exitCode());
                        }
                    }, "stop-deadline");
                    deadline.setDaemon(true);
                    deadline.start();
                } else {
                    Runtime.getRuntime().halt(received.get().exitCode());
                }
                yield null;
            }
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "stop on " + situation;
            default -> throw new UnsupportedOperationException(method.getName());
        };
    }

    /** The signal received, if any. */
    public Optional<Situation> received() {
        return Optional.ofNullable(received.get());
    }

    /** The code to exit with: the signal's when one came, else the program's own. */
    public int exitCode(int programExitCode) {
        return received().map(Situation::exitCode).orElse(programExitCode);
    }

    /** Gives the signals back to their previous handlers. */
    @Override
    public void close() {
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
