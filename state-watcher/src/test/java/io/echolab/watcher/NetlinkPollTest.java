package io.echolab.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.echolab.testing.Await;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import io.echolab.watcher.netlink.SockDiag;
import org.junit.jupiter.api.Test;

/**
 * A socket that a dump caught closing, on real loopback sockets. The race itself (the kernel describing a
 * socket after letting go of its bucket, see {@link NetlinkPoll}) cannot be had on demand, so the second
 * dump is the kernel's real one with the caught socket's row put back as the kernel wrote it in CI: state
 * CLOSE, local port 0, the socket's cookie. What takes its place is the kernel's answer to a lookup.
 */
class NetlinkPollTest {

    @Test
    void aSocketCaughtClosingIsTheTimeWaitEntryThatTookItsPlace() throws Exception {
        try (ServerSocketChannel listener = Loopback.listener();
                SockDiag diag = SockDiag.open()) {
            SocketChannel client = Loopback.connect(listener);
            SocketChannel server = listener.accept();
            Set<Integer> ports = Set.of(((InetSocketAddress) listener.getLocalAddress()).getPort());
            ConnectionKey clientKey = new ConnectionKey("tcp", (InetSocketAddress) client.getLocalAddress(),
                    (InetSocketAddress) client.getRemoteAddress());
            List<List<TcpSocket>> dumps = new ArrayList<>();
            NetlinkPoll poll = new NetlinkPoll(() -> dumps.remove(0), diag::lookup);

            dumps.add(diag.dump(ports));
            TcpSocket established = row(poll.rows(), clientKey).orElseThrow();
            assertEquals(TcpState.ESTABLISHED, established.state());

            client.close();  // the client closes first: its side ends in TIME_WAIT
            server.close();
            Await.until("the client's side in TIME_WAIT", () -> lookup(diag, clientKey, established.cookie())
                    .map(r -> r.state() == TcpState.TIME_WAIT).orElse(false), () -> lookup(diag, clientKey, 0));

            List<TcpSocket> raced = new ArrayList<>(diag.dump(ports));
            raced.removeIf(r -> ConnectionKey.of(r).equals(clientKey));
            raced.add(caughtClosing(established));
            dumps.add(raced);
            List<TcpSocket> rows = poll.rows();

            TcpSocket told = row(rows, clientKey).orElseThrow(() -> new AssertionError("no client row in " + rows));
            assertEquals(TcpState.TIME_WAIT, told.state(), "the time-wait entry, as the kernel has it now: " + told);
            assertEquals(established.cookie(), told.cookie(), "the same socket's cookie: " + told);
            assertTrue(rows.stream().noneMatch(r -> r.state() == TcpState.CLOSE || r.local().getPort() == 0),
                    "no row for the socket caught closing: " + rows);
        }
    }

    @Test
    void aSocketCaughtClosingThatIsGoneIsLeftOut() throws Exception {
        try (ServerSocketChannel listener = Loopback.listener();
                SockDiag diag = SockDiag.open()) {
            SocketChannel client = Loopback.connect(listener);
            SocketChannel server = listener.accept();
            Set<Integer> ports = Set.of(((InetSocketAddress) listener.getLocalAddress()).getPort());
            ConnectionKey clientKey = new ConnectionKey("tcp", (InetSocketAddress) client.getLocalAddress(),
                    (InetSocketAddress) client.getRemoteAddress());
            List<List<TcpSocket>> dumps = new ArrayList<>();
            NetlinkPoll poll = new NetlinkPoll(() -> dumps.remove(0), diag::lookup);
            dumps.add(diag.dump(ports));
            TcpSocket established = row(poll.rows(), clientKey).orElseThrow();

            client.setOption(StandardSocketOptions.SO_LINGER, 0);
            client.close();  // RST: no time-wait entry, the socket is gone (and the server's side with it)
            server.close();
            Await.until("the client's side gone", () -> lookup(diag, clientKey, established.cookie()).isEmpty(),
                    () -> lookup(diag, clientKey, 0));

            List<TcpSocket> raced = new ArrayList<>(diag.dump(ports));
            raced.add(caughtClosing(established));
            TcpSocket stranger = new TcpSocket("tcp", new InetSocketAddress(established.local().getAddress(), 0),
                    new InetSocketAddress(established.remote().getAddress(), 1), TcpState.CLOSE, 0, 0, TimerKind.OFF,
                    Duration.ZERO, 0, 0, 0, 0, established.cookie() + 1_000_000);
            raced.add(stranger);
            dumps.add(raced);
            List<TcpSocket> rows = poll.rows();

            assertTrue(row(rows, clientKey).isEmpty(), "the client's socket is gone: " + rows);
            assertTrue(rows.stream().noneMatch(r -> r.state() == TcpState.CLOSE),
                    "neither a socket gone nor one never seen before is told as CLOSE: " + rows);
            assertTrue(rows.stream().anyMatch(r -> r.state() == TcpState.LISTEN),
                    "the rest of the dump is told as it came: " + rows);
        }
    }

    /** The row a dump gives of a socket it caught closing: CLOSE, its local port released. */
    private static TcpSocket caughtClosing(TcpSocket row) {
        return new TcpSocket(row.proto(), new InetSocketAddress(row.local().getAddress(), 0), row.remote(),
                TcpState.CLOSE, 0, 0, TimerKind.OFF, Duration.ZERO, 0, 0, row.uid(), 0, row.cookie());
    }

    private static Optional<TcpSocket> row(List<TcpSocket> rows, ConnectionKey key) {
        return rows.stream().filter(r -> ConnectionKey.of(r).equals(key)).findFirst();
    }

    private static Optional<TcpSocket> lookup(SockDiag diag, ConnectionKey key, long cookie) {
        try {
            return diag.lookup(key, cookie);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
