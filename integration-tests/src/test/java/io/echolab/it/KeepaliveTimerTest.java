package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import io.echolab.common.Keepalive;
import io.echolab.common.SocketTuning;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import io.echolab.watcher.netlink.SockDiag;
import org.junit.jupiter.api.Test;

/**
 * {@code --keepalive IDLE/INTERVAL/COUNT} reaches the kernel: the server's accepted socket carries the
 * keepalive timer (timer 2 in /proc/net/tcp) set to the idle time, the client's socket, without it, none;
 * and no poll ever sees the timer at tcp_keepalive_time's default on the way.
 */
class KeepaliveTimerTest {

    @Test
    void theAcceptedSocketCarriesTheKeepaliveTimer() throws Exception {
        try (LocalLab lab = LocalLab.start()) {
            lab.connect(List.of("--keepalive", "3s/1s/2", "--close-delay", "0"), List.of("--hold", "0"));
            KernelWatch kernel = lab.kernelWatch();
            Connection server = lab.story().serverSide().orElseThrow();
            // The kernel lists the accepted socket before accept() returns and the server sets keepalive on it,
            // so the timer is read from the rows as they are now, not from when the row first appeared.
            lab.await("the keepalive timer on the server's socket", STARTUP, () -> kernel.latestRow(server.key())
                    .map(row -> row.timer() == TimerKind.KEEPALIVE).orElse(false));
            TcpSocket row = kernel.latestRow(server.key()).orElseThrow();
            assertEquals(TcpState.ESTABLISHED, row.state());
            Duration left = row.timerRemaining();
            assertTrue(left.compareTo(Duration.ZERO) > 0 && left.compareTo(Duration.ofSeconds(3)) <= 0,
                    "the first probe is due within the 3 s idle time, not tcp_keepalive_time's 2 hours: " + left);
            Optional<TcpSocket> client = kernel.latestRow(lab.story().clientSide().orElseThrow().key());
            assertEquals(TimerKind.OFF, client.orElseThrow().timer(), "the client did not ask for keepalive: " + client);

            lab.endInput("client");
            lab.awaitExit("client", STARTUP);
        }
    }

    @Test
    void theTimerIsArmedWithTheIdleTimeFromItsStart() throws Exception {
        // SO_KEEPALIVE arms the timer with the idle time the socket has at that moment; TCP_KEEPIDLE re-arms
        // it only if keepalive is already on. Set in the other order, a poll between the two calls sees the
        // first probe due in tcp_keepalive_time (2 hours by default). The kernel is asked after each option.
        Keepalive keepalive = new Keepalive(3, 1, 2);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
                SockDiag diag = SockDiag.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel accepted = listener.accept()) {
                ConnectionKey key = new ConnectionKey("tcp", (InetSocketAddress) accepted.getLocalAddress(),
                        (InetSocketAddress) client.getLocalAddress());
                AskingTheKernel asking = new AskingTheKernel(accepted, diag, key, new ArrayList<>());
                new SocketTuning(OptionalInt.empty(), Optional.of(keepalive)).applyTo(asking);

                assertEquals(4, asking.seen().size(), "one row after each of the four options: " + asking.seen());
                for (TcpSocket row : asking.seen()) {
                    assertTrue(row.timer() != TimerKind.KEEPALIVE
                                    || row.timerRemaining().compareTo(Duration.ofSeconds(keepalive.idleSeconds())) <= 0,
                            "the first probe was never due later than the 3 s idle time: " + asking.seen());
                }
                assertEquals(TimerKind.KEEPALIVE, asking.seen().get(3).timer(), "keepalive is on in the end");
            }
        }
    }

    /** A connected socket whose kernel row is looked up after each option set on it. */
    private record AskingTheKernel(SocketChannel channel, SockDiag diag, ConnectionKey key, List<TcpSocket> seen)
            implements NetworkChannel {

        @Override
        public <T> NetworkChannel setOption(SocketOption<T> name, T value) throws IOException {
            channel.setOption(name, value);
            seen.add(diag.lookup(key, 0).orElseThrow(() -> new AssertionError("the kernel has no " + key)));
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) throws IOException {
            return channel.getOption(name);
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return channel.supportedOptions();
        }

        @Override
        public NetworkChannel bind(SocketAddress local) throws IOException {
            channel.bind(local);
            return this;
        }

        @Override
        public SocketAddress getLocalAddress() throws IOException {
            return channel.getLocalAddress();
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
