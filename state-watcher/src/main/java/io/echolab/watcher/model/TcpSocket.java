package io.echolab.watcher.model;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * One socket as the kernel lists it: a row of /proc/net/tcp{,6} or a NETLINK_SOCK_DIAG reply. An IPv4-mapped
 * IPv6 address ({@code ::ffff:127.0.0.1}) is held as the IPv4 address, in a {@code tcp6} row. TIME_WAIT and
 * orphaned FIN_WAIT2 rows (time-wait sockets) have uid 0 and inode 0, and so does a connection still in the
 * accept queue's request stage.
 *
 * @param proto          {@code tcp} or {@code tcp6}: the socket's family, as netstat names it
 * @param txQueue        bytes sent and not yet acknowledged; 0 for a listener (netstat's Send-Q)
 * @param rxQueue        bytes received and not yet read; for a LISTEN socket, connections waiting in accept()
 * @param timerRemaining time until the timer fires (/proc: to the USER_HZ tick of 10 ms; netlink: to the ms);
 *                       zero when off or already due
 * @param retransmits    retransmissions counted by the retransmit timer (/proc's {@code retrnsmt})
 * @param probes         keepalive or zero-window probes sent and unanswered (/proc's {@code timeout} column)
 * @param uid            the owner, an unsigned 32-bit uid_t ({@link Integer#toUnsignedLong} reads it)
 * @param cookie         the kernel's socket cookie, the same for a connection's whole life (its time-wait
 *                       entry too); 0 when the source does not give it (/proc)
 */
public record TcpSocket(String proto, InetSocketAddress local, InetSocketAddress remote, TcpState state,
        long txQueue, long rxQueue, TimerKind timer, Duration timerRemaining, int retransmits, int probes, int uid,
        long inode, long cookie) {

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
        if (retransmits < 0 || probes < 0 || inode < 0) {
            throw new IllegalArgumentException("retransmits, probes and inode cannot be negative: " + retransmits
                    + ", " + probes + ", " + inode);
        }
    }

    /**
     * A row for a state the kernel reported in a transition but that no table listed: the tracepoint says a
     * socket entered {@code state} and nothing more, so its queues are 0 and no timer is known.
     */
    public static TcpSocket transitionOnly(ConnectionKey key, TcpState state, int uid, long inode, long cookie) {
        return new TcpSocket(key.proto(), key.local(), key.remote(), state, 0, 0, TimerKind.OFF, Duration.ZERO, 0, 0,
                uid, inode, cookie);
    }

    /** True for a time-wait socket: TIME_WAIT, or an orphaned FIN_WAIT2 whose owner has closed it. */
    public boolean timeWaitSocket() {
        return timer == TimerKind.TIME_WAIT;
    }
}
