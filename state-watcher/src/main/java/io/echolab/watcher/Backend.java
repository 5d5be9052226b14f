package io.echolab.watcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.netlink.SockDiag;
import io.echolab.watcher.proc.ProcNetTcpReader;

/**
 * Where a {@link Watcher} learns the kernel's sockets from: /proc/net/tcp{,6} as the article's loop read
 * it (procfs), NETLINK_SOCK_DIAG as {@code ss} asks (netlink), or the sock:inet_sock_set_state tracepoint
 * with netlink for what it does not report (trace). Every backend gives the same rows for the same sockets.
 * The watcher's thread alone calls it; {@link #close} releases what it holds (a netlink socket, a tracefs
 * instance) and may be called from any thread, more than once.
 */
public abstract class Backend implements AutoCloseable {

    /** One poll of a table: the watched sockets now, in the kernel's order. */
    @FunctionalInterface
    public interface SocketSource {
        List<TcpSocket> rows() throws IOException;
    }

    Backend() {
    }

    /** {@code procfs}, {@code netlink} or {@code trace}: what {@code --backend} and jsonl's first line say. */
    public abstract String name();

    /** True when changes carry the kernel's own timestamps, to the microsecond. */
    boolean kernelTimestamps() {
        return false;
    }

    /**
     * Called once before the first poll.
     *
     * @param wake wakes the watcher to {@link #drain} between polls
     */
    void start(Runnable wake) throws IOException {
    }

    /** Applies what was heard since the last call: the tracepoint's transitions. */
    void drain(ConnectionTable table) throws IOException {
    }

    /**
     * True when a poll would learn nothing: the tracepoint reports every change and there is nothing it
     * leaves to polls (no time-wait socket, no detail to refresh). The watcher then sleeps until woken.
     */
    boolean idle(ConnectionTable table) {
        return false;
    }

    /**
     * Brings {@code table} up to date with the kernel; returns when, and every watched socket. A change a
     * read of the kernel's table shows is dated by the clock read after the kernel answered: the change may
     * have come during the read, so the time before it could date the change before it was made.
     */
    abstract Sample poll(Clock clock, ConnectionTable table) throws IOException;

    /** One poll: the time the table was known at, and every watched socket. */
    record Sample(Instant at, List<TcpSocket> view) {
    }

    @Override
    public void close() {
    }

    /** A backend that polls {@code source}: each poll's rows are the whole table. */
    public static Backend polled(String name, SocketSource source) {
        return new Polled(name, source, () -> { });
    }

    /**
     * /proc/net/tcp and tcp6 under {@code procRoot} ({@code /proc}, {@code /proc/PID}, or saved tables).
     *
     * @param ports the sockets with one of these at either end; empty for all
     */
    public static Backend procfs(Path procRoot, Set<Integer> ports) {
        ProcNetTcpReader reader = new ProcNetTcpReader(procRoot, ports);
        return new Polled("procfs", reader::read, () -> { });
    }

    /**
     * Dumps over {@code socket}, the kernel applying the port filter, and looks up what a dump caught closing
     * ({@link NetlinkPoll}); closing the backend closes the socket.
     */
    public static Backend netlink(SockDiag socket, Set<Integer> ports) {
        Set<Integer> watched = Set.copyOf(ports);
        return new Polled("netlink", new NetlinkPoll(() -> socket.dump(watched), socket::lookup), socket::close);
    }

    /**
     * NETLINK_SOCK_DIAG in this network namespace.
     *
     * @throws IOException naming the call that failed when netlink cannot be opened
     */
    public static Backend netlink(Set<Integer> ports) throws IOException {
        return netlink(SockDiag.open(), ports);
    }

    /** The best this machine allows, as {@code --backend auto} picks it: trace as root, else netlink, else procfs. */
    public static Backend auto(Set<Integer> ports) throws IOException {
        try {
            return Backends.open(BackendChoice.AUTO, ports, Path.of("/proc"), OptionalInt.empty(), false, line -> { },
                    false);
        } catch (Backends.Unavailable e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * The sock:inet_sock_set_state tracepoint, with netlink, in this network namespace: root only.
     *
     * @throws io.echolab.watcher.trace.TraceUnavailableException when the tracepoint cannot be had here
     */
    public static Backend trace(Set<Integer> ports) throws IOException {
        return Backends.trace(ports, OptionalInt.empty());
    }

    /** A polled table: the change detector diffs each poll against the last. */
    private static final class Polled extends Backend {
        private final String name;
        private final SocketSource source;
        private final Runnable release;

        Polled(String name, SocketSource source, Runnable release) {
            this.name = Objects.requireNonNull(name, "name");
            this.source = Objects.requireNonNull(source, "source");
            this.release = release;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        Sample poll(Clock clock, ConnectionTable table) throws IOException {
            List<TcpSocket> rows = source.rows();
            Instant now = clock.instant();
            table.replaceAll(now, rows);
            return new Sample(now, rows);
        }

        @Override
        public void close() {
            release.run();
        }
    }
}
