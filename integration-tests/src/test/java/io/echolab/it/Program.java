package io.echolab.it;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import picocli.CommandLine;

/**
 * One of the lab's programs running in this JVM on its own thread, exactly as its {@code main} would run
 * it, with its output captured. Real sockets on the real kernel: only the process boundary is missing.
 */
final class Program implements AutoCloseable {

    final OutputSink stdout;
    private final StringWriter stderr = new StringWriter();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Thread thread;

    Program(String name, OutputSink stdout, CommandLine command, String... args) {
        this.stdout = stdout;
        command.setErr(new PrintWriter(stderr, true));
        // What picocli itself prints (help, the watcher's rows) goes where the transcript goes
        command.setOut(new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true));
        thread = new Thread(() -> {
            try {
                exit.complete(command.execute(args));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** What it printed on standard output. */
    String out() {
        return stdout.text();
    }

    /** What it printed on standard error. */
    String err() {
        return stderr.toString();
    }

    /** The exit code, once it has ended. */
    OptionalInt exitCode() {
        return exit.isDone() && !exit.isCompletedExceptionally() ? OptionalInt.of(exit.join()) : OptionalInt.empty();
    }

    /** Waits for the program to end and returns its exit code. */
    int awaitExit(Duration timeout) throws Exception {
        try {
            return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(thread.getName() + " did not exit within " + timeout + "; output:\n" + out()
                    + "\nerrors:\n" + err());
        }
    }

    /** Stops a program that would run on (a server waiting for more clients, a client holding): Ctrl-C's stand-in. */
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
