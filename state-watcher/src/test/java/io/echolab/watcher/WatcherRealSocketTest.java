package io.echolab.watcher;

import static io.echolab.watcher.WatcherThread.seen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import io.echolab.testing.Await;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;

/** The watcher on this machine's real /proc, watching real sockets on 127.0.0.1 close (LAB.md's S1, shortened). */
class WatcherRealSocketTest {

    /** The server's delay between the client's EOF and its own close(): the article's 10 s, shortened. */
    private static final Duration CLOSE_DELAY = Duration.ofMillis(300);
    /**
     * How late a poll may see a change: the 1 ms interval, /proc read in a few ms, and the watcher's thread
     * held back by a busy machine's scheduler (the lab's ITs allow the same, KernelTime.SCHEDULING).
     */
    private static final Duration SEEN_LATE = Duration.ofMillis(100);

    @Test
    void clientSitsInFinWait2WhileServerSitsInCloseWaitThenClientTimeWait() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            InetSocketAddress server = (InetSocketAddress) listener.getLocalAddress();
            int port = server.getPort();
            Timeline timeline = new Timeline();
            Watcher watcher = new Watcher(Backend.procfs(Path.of("/proc"), Set.of(port)), Duration.ofMillis(1),
                    Clock.systemUTC(), List.of(timeline));
            try (WatcherThread watching = WatcherThread.start(watcher)) {
                Predicate<ConnectionKey> listening = key -> key.local().getPort() == port && key.remote().getPort() == 0;
                Await.until("the listener", () -> timeline.connection(listening).isPresent(), timeline::connections);

                // Connect
                SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
                client.connect(server);
                SocketChannel accepted = listener.accept();
                int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                Predicate<ConnectionKey> clientSide = key -> key.local().getPort() == clientPort;
                Predicate<ConnectionKey> serverSide = key -> key.local().getPort() == port && key.remote().getPort() == clientPort;
                Await.until("both ends ESTABLISHED",
                        () -> seen(timeline, clientSide, TcpState.ESTABLISHED) && seen(timeline, serverSide, TcpState.ESTABLISHED),
                        timeline::connections);

                // The client closes first; the server waits before its own close
                client.close();
                Await.until("client FIN_WAIT2 and server CLOSE_WAIT",
                        () -> seen(timeline, clientSide, TcpState.FIN_WAIT2) && seen(timeline, serverSide, TcpState.CLOSE_WAIT),
                        timeline::connections);
                Thread.sleep(CLOSE_DELAY.toMillis()); // the scenario's close delay, not a wait for a condition
                accepted.close();
                Await.until("client TIME_WAIT and the server's socket gone",
                        () -> seen(timeline, clientSide, TcpState.TIME_WAIT)
                                && timeline.connection(serverSide).map(Connection::gone).orElse(false),
                        timeline::connections);
            }

            Connection clientConnection = timeline.connection(key -> key.remote().equals(server)).orElseThrow();
            Connection serverConnection = timeline.connection(key -> key.local().equals(server) && key.remote().getPort() != 0)
                    .orElseThrow();
            Connection listenerConnection = timeline.connection(key -> key.remote().getPort() == 0).orElseThrow();

            List<TcpState> clientStates = clientConnection.states().stream()
                    .filter(state -> state != TcpState.FIN_WAIT1).toList(); // FIN_WAIT1 lasts until the ACK: seen or not
            assertEquals(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT), clientStates,
                    "the side that closes first: FIN_WAIT2, then TIME_WAIT");
            assertEquals(TcpState.ESTABLISHED, serverConnection.states().get(0));
            assertTrue(serverConnection.states().contains(TcpState.CLOSE_WAIT), "the passive side: CLOSE_WAIT");
            assertTrue(serverConnection.gone(), "after its close() and the last ACK, the server's socket is freed");

            Phase finWait2 = clientConnection.phase(TcpState.FIN_WAIT2).orElseThrow();
            Phase closeWait = serverConnection.phase(TcpState.CLOSE_WAIT).orElseThrow();
            assertTrue(finWait2.startSeen() && closeWait.startSeen(), "both began while watching");
            // Each lasted longer than the delay; a poll may see its start up to one poll and a scheduling delay late
            assertAtLeast(CLOSE_DELAY.minus(SEEN_LATE), finWait2.duration().orElseThrow(), "FIN_WAIT2 lasts the server's close delay");
            assertAtLeast(CLOSE_DELAY.minus(SEEN_LATE), closeWait.duration().orElseThrow(), "CLOSE_WAIT lasts the server's close delay");
            assertFalse(closeWait.start().isAfter(finWait2.end()) || finWait2.start().isAfter(closeWait.end()),
                    "the client's FIN_WAIT2 and the server's CLOSE_WAIT overlap: " + finWait2 + " " + closeWait);
            assertEquals(TimerKind.TIME_WAIT, finWait2.timerAtStart(),
                    "the client closed, so its FIN_WAIT2 is an orphan kept as a time-wait socket: timer 3");

            Phase timeWait = clientConnection.phase(TcpState.TIME_WAIT).orElseThrow();
            assertEquals(TimerKind.TIME_WAIT, timeWait.timerAtStart());
            assertTrue(timeWait.timerRemainingAtStart().compareTo(Duration.ofSeconds(55)) > 0
                            && timeWait.timerRemainingAtStart().compareTo(Duration.ofSeconds(60)) <= 0,
                    "TIME_WAIT starts with TCP_TIMEWAIT_LEN, 60 s, on its timer: " + timeWait.timerRemainingAtStart());
            assertFalse(clientConnection.gone(), "TIME_WAIT outlives the test by about a minute");

            Phase listen = listenerConnection.last();
            assertEquals(TcpState.LISTEN, listen.state());
            assertFalse(listen.startSeen(), "the listener was there before the first poll");
            assertEquals(Optional.empty(), listen.duration(), "the listener stays");
        }
    }

    private static void assertAtLeast(Duration least, Duration actual, String why) {
        assertTrue(actual.compareTo(least) >= 0, why + ": at least " + least + ", was " + actual);
    }
}
