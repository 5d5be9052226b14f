package io.echolab.watcher;

import static io.echolab.watcher.WatcherThread.seen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.echolab.testing.Await;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.owner.SocketOwners;
import org.junit.jupiter.api.Test;

/**
 * Owners on a real close, watched through netlink: a program connects, is killed (its kernel closes the
 * socket), and the server closes after it; the client's orphaned FIN_WAIT2 and TIME_WAIT rows have inode 0,
 * yet the connection still names the program that held it.
 */
class OwnerTrackerTest {

    @Test
    void theTimeWaitRowStillNamesTheProgramThatClosed() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            OwnerTracker owners = new OwnerTracker(new SocketOwners(Path.of("/proc")));
            Timeline timeline = new Timeline(owners::owner);
            Watcher watcher = new Watcher(Backend.netlink(Set.of(port)), Duration.ofMillis(1), Clock.systemUTC(),
                    List.of(owners, timeline));
            Predicate<ConnectionKey> clientSide = key -> key.remote().getPort() == port;
            Predicate<ConnectionKey> serverSide = key -> key.local().getPort() == port && key.remote().getPort() != 0;
            Process client;
            try (WatcherThread watching = WatcherThread.start(watcher)) {
                // bash connects on fd 3 through /dev/tcp, then becomes sleep, which holds fd 3
                client = new ProcessBuilder("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + " && exec sleep 30")
                        .redirectErrorStream(true).start();
                try (SocketChannel accepted = listener.accept()) {
                    Await.until("the client's owner to be sleep", () -> timeline.connection(clientSide)
                            .flatMap(Connection::owner).map(o -> o.command().equals("sleep")).orElse(false), timeline::connections);
                    client.destroy(); // SIGTERM: the process ends, its kernel closes the socket and sends the FIN
                    assertTrue(client.waitFor(10, TimeUnit.SECONDS), "sleep ends on SIGTERM");
                    Await.until("the client in FIN_WAIT2", () -> seen(timeline, clientSide, TcpState.FIN_WAIT2),
                            timeline::connections);
                }
                Await.until("the client in TIME_WAIT", () -> seen(timeline, clientSide, TcpState.TIME_WAIT), timeline::connections);
            }

            Connection closed = timeline.connection(clientSide).orElseThrow();
            assertEquals(Optional.of(new Owner(client.pid(), "sleep", 3)), closed.owner(),
                    "the connection through TIME_WAIT keeps the owner it had: " + closed);
            assertEquals(TcpState.TIME_WAIT, closed.last().state());
            assertEquals(closed.owner(), owners.owner(closed.key()), "the tracker names it for the TIME_WAIT row's line too");
            Connection accepted = timeline.connection(serverSide).orElseThrow();
            assertEquals(Optional.of(ProcessHandle.current().pid()), accepted.owner().map(Owner::pid),
                    "the accepted socket is this JVM's, from accept() on: " + accepted);
        }
    }
}
