package io.echolab.it;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import io.echolab.watcher.Backend;
import io.echolab.watcher.OwnerTracker;
import io.echolab.watcher.Timeline;
import io.echolab.watcher.WatchListener;
import io.echolab.watcher.Watcher;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.owner.SocketOwners;

/**
 * The state-watcher in this JVM, watching one port of this machine's kernel every {@link Lab#INTERVAL}
 * through a backend it closes with itself: what a {@link LocalLab}'s story is made of.
 */
final class KernelWatch implements AutoCloseable {

    private final int port;
    private final Backend backend;
    private final OwnerTracker owners = new OwnerTracker(new SocketOwners(Path.of("/proc")));
    private final Timeline timeline = new Timeline(owners::owner);
    /** The rows of the latest poll: what the kernel shows now, timers included. */
    private final AtomicReference<List<TcpSocket>> latest = new AtomicReference<>(List.of());
    private final Watcher watcher;
    private final Thread thread;
    private volatile IOException failure;

    KernelWatch(int port, Backend backend) throws IOException {
        this.port = port;
        this.backend = backend;
        watcher = new Watcher(backend, Lab.INTERVAL, Clock.systemUTC(), List.of(owners, timeline, new WatchListener() {
            @Override
            public void onSample(Instant time, List<TcpSocket> view) {
                latest.set(view);
            }
        }));
        watcher.poll(); // the listener is there before any client: seen before the scenario starts
        thread = new Thread(() -> {
            try {
                watcher.run();
            } catch (IOException e) {
                failure = e;
            }
        }, "kernel-watch-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    /** Which backend watches: trace, netlink or procfs. */
    String backend() {
        return backend.name();
    }

    /** What the watcher has seen so far; fails if the watcher has. */
    Story story() {
        if (failure != null) {
            throw new AssertionError("the watcher failed: " + failure.getMessage(), failure);
        }
        return new Story(port, timeline.connections());
    }

    /** The connection's row in the latest poll: for what changes within a state, such as a timer set later. */
    Optional<TcpSocket> latestRow(ConnectionKey key) {
        return latest.get().stream().filter(r -> ConnectionKey.of(r).equals(key)).findFirst();
    }

    @Override
    public void close() {
        watcher.stop();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            backend.close();
        }
    }
}
