package io.echolab.watcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.TcpState;

/**
 * A {@link Watcher} run on a thread of its own, for tests that act on real sockets while it watches. Closing it
 * stops the watcher and waits for its thread to end; an error that ended the run fails the test there.
 */
final class WatcherThread implements AutoCloseable {

    /** A stopped watcher ends within one poll; this is long enough for one on a busy machine. */
    private static final long END_SECONDS = 10;

    private final Watcher watcher;
    private final CompletableFuture<Void> running;

    private WatcherThread(Watcher watcher) {
        this.watcher = watcher;
        this.running = CompletableFuture.runAsync(() -> {
            try {
                watcher.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static WatcherThread start(Watcher watcher) {
        return new WatcherThread(watcher);
    }

    /** True once {@code timeline} has the connection {@code which} picks, and it has been in {@code state}. */
    static boolean seen(Timeline timeline, Predicate<ConnectionKey> which, TcpState state) {
        return timeline.connection(which).map(c -> c.states().contains(state)).orElse(false);
    }

    @Override
    public void close() throws ExecutionException, TimeoutException {
        watcher.stop();
        try {
            running.get(END_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the watcher was ending", e);
        }
    }
}
