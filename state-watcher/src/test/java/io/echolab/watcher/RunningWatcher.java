package io.echolab.watcher;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.echolab.testing.Await;
import picocli.CommandLine;

/**
 * The watcher's command run in this JVM on a thread of its own, as main runs it, with its standard output and
 * error captured, for tests that act on sockets while it watches. Closing it interrupts the watch.
 */
final class RunningWatcher implements AutoCloseable {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Thread thread;

    private RunningWatcher(String... args) {
        CommandLine commandLine = StateWatcherCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        thread = new Thread(() -> {
            try {
                exit.complete(commandLine.execute(args));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        }, "state-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    static RunningWatcher start(String... args) {
        return new RunningWatcher(args);
    }

    /** Waits until standard output has a line containing {@code text}: the watcher has seen what it prints. */
    RunningWatcher awaitOut(String text) {
        Await.until("the watcher to print '" + text + "'", () -> out().contains(text) || exit.isDone(),
                () -> out() + err());
        if (!out().contains(text)) {
            throw new AssertionError("the watcher ended (" + exit.join() + ") without printing '" + text + "':\n"
                    + out() + err());
        }
        return this;
    }

    /** The exit code; fails if it has not ended within {@code timeout}. */
    int awaitExit(Duration timeout) throws Exception {
        try {
            return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the watcher still runs after " + timeout + ":\n" + out() + err());
        }
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
