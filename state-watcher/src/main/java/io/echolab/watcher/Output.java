package io.echolab.watcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.echolab.watcher.model.TcpSocket;

/**
 * The watcher's standard output: lines printed and flushed at once, so a pipe's reader sees each change as
 * it happens. When the reader has gone ({@code state-watcher | head -n 3} after head exits), the next print
 * fails; so that a watcher with nothing to print notices too, the pipe is also checked after each poll,
 * at most every {@link #CHECK_EVERY_NANOS} (an idle watcher polls at least that often). Either way the
 * watcher ends with an UncheckedIOException.
 */
final class Output implements WatchListener {

    static final long CHECK_EVERY_NANOS = Watcher.IDLE_WAIT.toNanos();

    private final PrintWriter out;
    private final BooleanSupplier readerGone;
    private long lastCheck = System.nanoTime();

    /**
     * @param readerGone whether standard output's reader has gone, asked without writing anything
     */
    Output(PrintWriter out, BooleanSupplier readerGone) {
        this.out = out;
        this.readerGone = readerGone;
    }

    void print(List<String> lines) {
        lines.forEach(out::println);
        out.flush();
        if (out.checkError()) {
            throw closed();
        }
    }

    @Override
    public void onSample(Instant time, List<TcpSocket> view) {
        long now = System.nanoTime();
        if (now - lastCheck >= CHECK_EVERY_NANOS) {
            lastCheck = now;
            if (readerGone.getAsBoolean()) {
                throw closed();
            }
        }
    }

    private static UncheckedIOException closed() {
        return new UncheckedIOException(new IOException("standard output is closed"));
    }
}
