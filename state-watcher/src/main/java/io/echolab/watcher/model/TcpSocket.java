package io.echolab.watcher.model;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * One row of /proc/net/tcp or /proc/net/tcp6. An IPv4-mapped IPv6 address ({@code ::ffff:127.0.0.1}) is held
 * as the IPv4 address, in a {@code tcp6} row. TIME_WAIT and orphaned FIN_WAIT2 rows have uid 0 and inode 0,
 * and so does a connection still in the accept queue.
 *
 * @param proto          {@code tcp} or {@code tcp6}: the table the row came from
 * @param txQueue        bytes sent and not yet acknowledged
 * @param rxQueue        bytes received and not yet read; for a LISTEN socket, connections waiting in accept()
 * @param timerRemaining time until the timer fires, to the tick (10 ms); zero when off or already due
 * @param uid            the owner, an unsigned 32-bit uid_t ({@link Integer#toUnsignedLong} reads it)
 */
public record TcpSocket(String proto, InetSocketAddress local, InetSocketAddress remote, TcpState state,
        long txQueue, long rxQueue, TimerKind timer, Duration timerRemaining, int retransmits, int uid, long inode) {

    public TcpSocket {
        if (!"tcp".equals(proto) && !"tcp6".equals(proto)) {
            throw new IllegalArgumentException("proto must be tcp or tcp6, not " + proto);
        }
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(timer, "timer");
        Objects.requireNonNull(timerRemaining, "timerRemaining");
        if (proto.equals("tcp") && !(local.getAddress() instanceof Inet4Address && remote.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("a tcp row has IPv4 addresses: " + local + " " + remote);
        }
        if (txQueue < 0 || rxQueue < 0) {
            throw new IllegalArgumentException("queues cannot be negative: tx " + txQueue + ", rx " + rxQueue);
        }
        if (timerRemaining.isNegative()) {
            throw new IllegalArgumentException("timer remaining cannot be negative: " + timerRemaining);
        }
        if (retransmits < 0 || inode < 0) {
            throw new IllegalArgumentException("retransmits and inode cannot be negative: " + retransmits + ", " + inode);
        }
    }
}
