package io.echolab.watcher;

import static io.echolab.watcher.WatcherThread.seen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import io.echolab.testing.Await;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;

/**
 * On a busy machine the trace pipe's reader can fall behind the polls: the polls then overrule the
 * tracepoint ({@link TraceBackend#RECONCILE_AFTER}), and the events that arrive afterwards are older than what
 * the table shows. They must not move the connection back: a close seen by the polls stays one close.
 */
class TraceLateEventsTest {

    /** Longer than RECONCILE_AFTER, so that every change of the close is first seen by a poll. */
    private static final Duration LATE = TraceBackend.RECONCILE_AFTER.multipliedBy(2);

    @Test
    void eventsOlderThanAPollThatOverruledThemDoNotMoveTheConnectionBack() throws Exception {
        assumeTrue(WatcherProcessTest.root(), "the tracepoint is root's; CI runs as root");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            InetSocketAddress server = (InetSocketAddress) listener.getLocalAddress();
            int port = server.getPort();
            Timeline timeline = new Timeline();
            Predicate<ConnectionKey> listening = key -> key.local().getPort() == port && key.remote().getPort() == 0;
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
            Predicate<ConnectionKey> clientSide;
            Predicate<ConnectionKey> serverSide;
            try (TraceBackend backend = (TraceBackend) Backend.trace(Set.of(port));
                    WatcherThread watching = WatcherThread.start(
                            new Watcher(backend, Duration.ofMillis(1), Clock.systemUTC(), List.of(timeline)))) {
                backend.holdEventsFor(LATE);
                // The first poll's dump has been taken: the connection is the tracepoint's to tell, late
                Await.until("the listener", () -> timeline.connection(listening).isPresent(), timeline::connections);
                client.connect(server);
                SocketChannel accepted = listener.accept();
                int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                clientSide = key -> key.local().getPort() == clientPort;
                serverSide = key -> key.local().getPort() == port && key.remote().getPort() == clientPort;
                Await.until("both ends ESTABLISHED, told by the tracepoint late",
                        () -> seen(timeline, clientSide, TcpState.ESTABLISHED) && seen(timeline, serverSide, TcpState.ESTABLISHED),
                        timeline::connections);

                client.close();
                Await.until("client FIN_WAIT2 and server CLOSE_WAIT",
                        () -> seen(timeline, clientSide, TcpState.FIN_WAIT2) && seen(timeline, serverSide, TcpState.CLOSE_WAIT),
                        timeline::connections);
                accepted.close();
                long closed = System.nanoTime(); // CLOCK_MONOTONIC, the tracepoint's clock
                Await.until("client TIME_WAIT and the server's socket gone",
                        () -> seen(timeline, clientSide, TcpState.TIME_WAIT)
                                && timeline.connection(serverSide).map(Connection::gone).orElse(false),
                        timeline::connections);
                // The events of both close() calls were in the ring buffer when they returned: once a drain has
                // let out everything up to then, each one was applied or dropped
                Await.until("the late events of the close let out", () -> backend.releasedThrough() > closed,
                        () -> backend.releasedThrough() + " ns, the close at " + closed + " ns");
            } finally {
                client.close();
            }

            Connection clientConnection = timeline.connection(clientSide).orElseThrow();
            Connection serverConnection = timeline.connection(serverSide).orElseThrow();
            // FIN_WAIT1 and LAST_ACK last until an ACK on loopback: a poll misses them, a late event is dropped
            assertEquals(List.of(TcpState.SYN_SENT, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT),
                    without(clientConnection, TcpState.FIN_WAIT1), "the client's close, once: " + clientConnection);
            assertEquals(List.of(TcpState.SYN_RECV, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT),
                    without(serverConnection, TcpState.LAST_ACK),
                    "the server's close, once: " + serverConnection);
            assertTrue(serverConnection.gone(), "the server's socket is freed: " + serverConnection);
            for (Connection connection : List.of(clientConnection, serverConnection)) {
                List<Phase> phases = connection.phases();
                for (int i = 1; i < phases.size(); i++) {
                    assertTrue(!phases.get(i).start().isBefore(phases.get(i - 1).start()),
                            "phases in the order they began: " + connection);
                }
            }
        }
    }

    @Test
    void aConnectThatRacedTheFirstDumpIsOneConnection() throws Exception {
        assumeTrue(WatcherProcessTest.root(), "the tracepoint is root's; CI runs as root");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            InetSocketAddress server = (InetSocketAddress) listener.getLocalAddress();
            Timeline timeline = new Timeline();
            // Traced from here, but connected before the watcher's first poll: the dump finds it ESTABLISHED, and
            // its connect's events, older, are read after
            try (TraceBackend backend = (TraceBackend) Backend.trace(Set.of(server.getPort()));
                    SocketChannel client = Loopback.connect(listener);
                    SocketChannel accepted = listener.accept()) {
                long connected = System.nanoTime();
                try (WatcherThread watching = WatcherThread.start(
                        new Watcher(backend, Duration.ofMillis(1), Clock.systemUTC(), List.of(timeline)))) {
                    Await.until("the connect's events let out", () -> backend.releasedThrough() > connected,
                            () -> backend.releasedThrough() + " ns, the connect at " + connected + " ns");
                }
                InetSocketAddress clientAddress = (InetSocketAddress) client.getLocalAddress();
                List<Connection> clients = timeline.connections(key -> key.local().equals(clientAddress));
                assertEquals(1, clients.size(), "one connection, as the dump found it: " + clients);
                assertEquals(List.of(TcpState.ESTABLISHED), clients.get(0).states(), clients.get(0).toString());
                assertTrue(!clients.get(0).gone() && !clients.get(0).last().startSeen(),
                        "there before the first poll, and still open: " + clients.get(0));
            }
        }
    }

    private static List<TcpState> without(Connection connection, TcpState state) {
        return connection.states().stream().filter(s -> s != state).toList();
    }
}
