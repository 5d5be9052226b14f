package io.echolab.watcher;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.echolab.common.ExitCode;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into a call to {@code stop}, so the program ends its own way, with its
 * own exit code, instead of the JVM's 130; closing it gives the signals back to their previous handlers. A
 * second signal, for someone who does not want to wait, runs {@code release} (what must be undone: a
 * tracefs instance) and ends the JVM at once with 130.
 *
 * <p>Uses sun.misc.Signal (module jdk.unsupported) through reflection, which compiles without the
 * "internal proprietary API" warning. Where it is missing, nothing is installed and the JVM's default stays.
 */
final class StopOnSignal implements AutoCloseable {

    private static final List<String> SIGNALS = List.of("INT", "TERM");

    /** The signals and the handlers they had before, to put back. */
    private final List<Object[]> previous = new ArrayList<>();

    private StopOnSignal() {
    }

    /** Installs the handlers; {@code stop} and {@code release} run on the JVM's signal thread. */
    static StopOnSignal install(Runnable stop, Runnable release) {
        StopOnSignal installed = new StopOnSignal();
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object handler = Proxy.newProxyInstance(StopOnSignal.class.getClassLoader(), new Class<?>[] {handlerClass},
                    handlerFor(stop, release));
            for (String name : SIGNALS) {
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                Object old = handle.invoke(null, signal, handler);
                installed.previous.add(new Object[] {signal, old});
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // No sun.misc.Signal, or the JVM refuses (e.g. -Xrs): keep the JVM's default handling.
        }
        return installed;
    }

    private static InvocationHandler handlerFor(Runnable stop, Runnable release) {
        AtomicInteger signals = new AtomicInteger();
        return (proxy, method, args) -> switch (method.getName()) {
            case "handle" -> {
                if (signals.incrementAndGet() == 1) {
                    stop.run();
                } else {
                    release.run();
                    Runtime.getRuntime().halt(ExitCode.INTERRUPTED);
                }
                yield null;
            }
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "stop on signal";
            default -> throw new UnsupportedOperationException(method.getName());
        };
    }

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
