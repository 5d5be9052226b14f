package io.echolab.it;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

/** A program's standard output, captured as it is written, that a test can wait on with a deadline. */
final class OutputSink extends OutputStream {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
        bytes.write(b);
        notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        bytes.write(b, off, len);
        notifyAll();
    }

    /** Everything written so far. */
    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Waits until the output satisfies the condition, or fails naming it and showing the output. */
    synchronized String await(String what, Duration timeout, Predicate<String> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(text())) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; output was:\n" + text());
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return text();
    }

    /** Waits until a line containing {@code text} has been printed. */
    String awaitLine(String text, Duration timeout) throws InterruptedException {
        return await("a line with '" + text + "'", timeout, out -> out.lines().anyMatch(line -> line.contains(text)));
    }
}
