package io.echolab.watcher.trace;

import java.net.InetSocketAddress;
import java.util.Objects;

import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.TcpState;

/**
 * One event of the sock:inet_sock_set_state tracepoint: a full socket moved from one state to another.
 *
 * @param monotonicNanos when, on CLOCK_MONOTONIC (the instance's {@code mono} trace clock), the clock of
 *                       {@link System#nanoTime()}; the text format gives microseconds
 * @param proto          {@code tcp} (AF_INET) or {@code tcp6} (AF_INET6; IPv4-mapped addresses become IPv4)
 * @param local          the socket's own address and port; port 0 on {@code CLOSE -> SYN_SENT}, which fires
 *                       before the port is chosen
 * @param remote         the peer; port 0 on a listener
 * @param task           the thread the kernel was running for (its pid), when the event happened in process
 *                       context (a connect(), listen() or close() of that thread's own socket); 0 when it
 *                       happened while handling a packet (softirq), on behalf of no one in particular
 */
public record Transition(long monotonicNanos, String proto, InetSocketAddress local, InetSocketAddress remote,
        TcpState from, TcpState to, int task) {

    public Transition {
        if (!"tcp".equals(proto) && !"tcp6".equals(proto)) {
            throw new IllegalArgumentException("proto must be tcp or tcp6, not " + proto);
        }
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (task < 0) {
            throw new IllegalArgumentException("task must be a pid or 0, not " + task);
        }
    }

    /** The connection it belongs to; complete only when both ports are known. */
    public ConnectionKey key() {
        return new ConnectionKey(proto, local, remote);
    }

    /** This transition with the local port the next event of its socket revealed. */
    public Transition withLocalPort(int port) {
        return new Transition(monotonicNanos, proto, new InetSocketAddress(local.getAddress(), port), remote, from, to,
                task);
    }

    /** This transition with the remote port the next event of its socket revealed. */
    public Transition withRemotePort(int port) {
        return new Transition(monotonicNanos, proto, local, new InetSocketAddress(remote.getAddress(), port), from, to,
                task);
    }
}
