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
import java.util.function.Predicate;

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
        try (Scene scene = new Scene()) {
            TcpSocket established = scene.firstPoll();

            scene.client.close();  // the client closes first: its side ends in TIME_WAIT
            scene.server.close();
            scene.await("the client's side in TIME_WAIT", established,
                    row -> row.map(r -> r.state() == TcpState.TIME_WAIT).orElse(false));
            List<TcpSocket> rows = scene.pollCaughtClosing(established);

            TcpSocket told = row(rows, scene.clientKey).orElseThrow(() -> new AssertionError("no client row in " + rows));
            assertEquals(TcpState.TIME_WAIT, told.state(), "the time-wait entry, as the kernel has it now: " + told);
            assertEquals(established.cookie(), told.cookie(), "the same socket's cookie: " + told);
            assertTrue(rows.stream().noneMatch(r -> r.state() == TcpState.CLOSE || r.local().getPort() == 0),
                    "no row for the socket caught closing: " + rows);
        }
    }

    @Test
    void aSocketCaughtClosingThatIsGoneIsLeftOut() throws Exception {
        try (Scene scene = new Scene()) {
            TcpSocket established = scene.firstPoll();

            scene.client.setOption(StandardSocketOptions.SO_LINGER, 0);
            scene.client.close();  // RST: no time-wait entry, the socket is gone (and the server's side with it)
            scene.server.close();
            scene.await("the client's side gone", established, Optional::isEmpty);
            TcpSocket stranger = new TcpSocket("tcp", new InetSocketAddress(established.local().getAddress(), 0),
                    new InetSocketAddress(established.remote().getAddress(), 1), TcpState.CLOSE, 0, 0, TimerKind.OFF,
                    Duration.ZERO, 0, 0, 0, 0, established.cookie() + 1_000_000);
            List<TcpSocket> rows = scene.pollCaughtClosing(established, stranger);

            assertTrue(row(rows, scene.clientKey).isEmpty(), "the client's socket is gone: " + rows);
            assertTrue(rows.stream().noneMatch(r -> r.state() == TcpState.CLOSE),
                    "neither a socket gone nor one never seen before is told as CLOSE: " + rows);
            assertTrue(rows.stream().anyMatch(r -> r.state() == TcpState.LISTEN),
                    "the rest of the dump is told as it came: " + rows);
        }
    }

    /** A loopback connection, a sock_diag socket, and a poll whose dumps the test hands it. */
    private static final class Scene implements AutoCloseable {
        final ServerSocketChannel listener = Loopback.listener();
        final SockDiag diag = SockDiag.open();
        final SocketChannel client = Loopback.connect(listener);
        final SocketChannel server = listener.accept();
        final Set<Integer> ports = Set.of(((InetSocketAddress) listener.getLocalAddress()).getPort());
        final ConnectionKey clientKey = new ConnectionKey("tcp", (InetSocketAddress) client.getLocalAddress(),
                (InetSocketAddress) client.getRemoteAddress());
        private final List<List<TcpSocket>> dumps = new ArrayList<>();
        private final NetlinkPoll poll = new NetlinkPoll(() -> dumps.remove(0), diag::lookup);

        Scene() throws IOException {
        }

        /** A poll of the kernel's dump as it is: the client's row, ESTABLISHED. */
        TcpSocket firstPoll() throws IOException {
            dumps.add(diag.dump(ports));
            TcpSocket established = row(poll.rows(), clientKey).orElseThrow();
            assertEquals(TcpState.ESTABLISHED, established.state());
            return established;
        }

        /** Waits until the kernel's answer for the client's socket (by its cookie) meets {@code done}. */
        void await(String what, TcpSocket client, Predicate<Optional<TcpSocket>> done) {
            Await.until(what, () -> done.test(lookup(client.cookie())), () -> lookup(0));
        }

        /**
         * A poll of the kernel's dump as it is now, the client's row in it (if any) replaced by the one a dump
         * gives of a socket it caught closing, and {@code more} rows after it.
         */
        List<TcpSocket> pollCaughtClosing(TcpSocket established, TcpSocket... more) throws IOException {
            List<TcpSocket> raced = new ArrayList<>(diag.dump(ports));
            raced.removeIf(r -> ConnectionKey.of(r).equals(clientKey));
            raced.add(new TcpSocket(established.proto(), new InetSocketAddress(established.local().getAddress(), 0),
                    established.remote(), TcpState.CLOSE, 0, 0, TimerKind.OFF, Duration.ZERO, 0, 0, established.uid(),
                    0, established.cookie()));
            raced.addAll(List.of(more));
            dumps.add(raced);
            return poll.rows();
        }

        private Optional<TcpSocket> lookup(long cookie) {
            try {
                return diag.lookup(clientKey, cookie);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            try (listener; diag; client; server) {
                // each closed, the last opened first
            }
        }
    }

    private static Optional<TcpSocket> row(List<TcpSocket> rows, ConnectionKey key) {
        return rows.stream().filter(r -> ConnectionKey.of(r).equals(key)).findFirst();
    }
}
