package io.echolab.it;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import io.echolab.watcher.Backend;
import io.echolab.watcher.Timeline;
import io.echolab.watcher.WatchListener;
import io.echolab.watcher.Watcher;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;

/**
 * The state-watcher polling this machine's real /proc/net/tcp{,6} every millisecond for one port, with the
 * three sides of an echo session told apart: the listener, the server's accepted socket and the client's.
 */
final class KernelWatch implements AutoCloseable {

    private final int serverPort;
    private final Timeline timeline = new Timeline();
    /** The rows of the latest poll: what the kernel shows now, timers included. */
    private final AtomicReference<List<TcpSocket>> latest = new AtomicReference<>(List.of());
    private final Backend backend;
    private final Watcher watcher;
    private final Thread thread;
    private volatile IOException failure;

    /** Polls /proc/net/tcp{,6}, as the article's loop did. */
    KernelWatch(int serverPort) throws IOException {
        this(serverPort, Backend.procfs(Path.of("/proc"), Set.of(serverPort)));
    }

    /** Watches through {@code backend}, which it closes with itself. */
    KernelWatch(int serverPort, Backend backend) throws IOException {
        this.serverPort = serverPort;
        this.backend = backend;
        watcher = new Watcher(backend, Duration.ofMillis(1), Clock.systemUTC(), List.of(timeline, new WatchListener() {
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
        }, "kernel-watch-" + serverPort);
        thread.setDaemon(true);
        thread.start();
    }

    /** The listening socket. */
    Optional<Connection> listener() {
        return timeline.connection(key -> key.local().getPort() == serverPort && key.remote().getPort() == 0);
    }

    /** The server's accepted socket (local port = the server's). */
    Optional<Connection> serverSide() {
        return newConnection(key -> key.local().getPort() == serverPort && key.remote().getPort() != 0);
    }

    /** The client's socket (remote port = the server's). */
    Optional<Connection> clientSide() {
        return newConnection(key -> key.remote().getPort() == serverPort);
    }

    /**
     * The first matching connection that began while watching. One already there at the first poll is not
     * this test's: the kernel may give the server a port whose earlier connections still sit in TIME_WAIT.
     */
    private Optional<Connection> newConnection(Predicate<ConnectionKey> which) {
        return newConnections().stream().filter(c -> which.test(c.key())).findFirst();
    }

    /** Every connection on the port that began while watching (see {@link #newConnection}). */
    List<Connection> newConnections() {
        return timeline.connections().stream().filter(c -> c.phases().get(0).startSeen()).toList();
    }

    /** Waits until {@code side} is seen and satisfies the condition; fails with the whole timeline if not. */
    Connection await(String what, Duration timeout, java.util.function.Supplier<Optional<Connection>> side,
                     Predicate<Connection> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (failure != null) {
                throw new AssertionError("the watcher failed: " + failure.getMessage(), failure);
            }
            Optional<Connection> connection = side.get();
            if (connection.isPresent() && condition.test(connection.get())) {
                return connection.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; timeline:\n" + describe());
            }
            Thread.sleep(5); // the watcher polls every 1 ms; check its timeline every 5
        }
    }

    /**
     * Waits until the latest poll has a row of {@code connection} that satisfies the condition, and returns it:
     * for what changes within a state, such as a timer set after the row first appeared.
     */
    TcpSocket awaitRow(String what, Duration timeout, Connection connection, Predicate<TcpSocket> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<TcpSocket> row = latest.get().stream()
                    .filter(r -> ConnectionKey.of(r).equals(connection.key()) && condition.test(r)).findFirst();
            if (row.isPresent()) {
                return row.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last poll:\n"
                        + latest.get());
            }
            Thread.sleep(5);
        }
    }

    /** The row of {@code connection} in the latest poll. */
    Optional<TcpSocket> row(Connection connection) {
        return latest.get().stream().filter(r -> ConnectionKey.of(r).equals(connection.key())).findFirst();
    }

    /** Waits until the kernel shows the connection ESTABLISHED on both ends, as a person at the prompt would see it. */
    void awaitEstablished(Duration timeout) throws InterruptedException {
        await("the client ESTABLISHED", timeout, this::clientSide, c -> c.last().state() == TcpState.ESTABLISHED);
        await("the server side ESTABLISHED", timeout, this::serverSide, c -> c.last().state() == TcpState.ESTABLISHED);
    }

    /** The timeline as text, for failure messages. */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (Connection c : timeline.connections()) {
            text.append(c.key()).append(c.gone() ? " (gone)" : "").append('\n');
            for (Phase p : c.phases()) {
                text.append("  ").append(p.state()).append(" from ").append(p.start())
                        .append(p.duration().map(d -> " for " + d.toMillis() + " ms").orElse(" (lasting)"))
                        .append(", timer ").append(p.timerAtStart()).append(' ')
                        .append(p.timerRemainingAtStart().toMillis()).append(" ms\n");
            }
        }
        return text.toString();
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
