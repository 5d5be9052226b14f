package io.echolab.watcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.echolab.testing.Await;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.netlink.SockDiag;
import io.echolab.watcher.proc.ProcNetTcpReader;
import io.echolab.watcher.report.AddressText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * /proc/net/tcp{,6}, NETLINK_SOCK_DIAG (one walk for both families, and a dump per family) and iproute2's
 * {@code ss -tan} read the same live sockets on loopback, in every state a close leaves behind, and must
 * show the same rows. ss also reads netlink, but through its own code: it is the reference here.
 */
class BackendsAgreeTest {

    private static final Path SS = Path.of("/usr/bin/ss");

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    @Test
    void procfsNetlinkAndSsShowTheSameRows() throws Exception {
        assumeTrue(Files.isExecutable(SS), "no /usr/bin/ss here (Debian's iproute2; .ci/run installs it)");
        Set<Integer> ports = Set.of(
                scene(StandardProtocolFamily.INET, "127.0.0.1", StandardProtocolFamily.INET),
                scene(StandardProtocolFamily.INET6, "::1", StandardProtocolFamily.INET6),
                // Dual-stack listener, IPv4 client: the server side is a tcp6 row with ::ffff:127.0.0.1
                scene(StandardProtocolFamily.INET6, "::", StandardProtocolFamily.INET));
        try (SockDiag netlink = SockDiag.open(); SockDiag perFamily = SockDiag.open()) {
            perFamily.perFamilyDumps();
            ProcNetTcpReader procfs = new ProcNetTcpReader(Path.of("/proc"), ports);
            Await.until("every state of the scene on each port", () -> settled(procfs, ports), () -> rows(procfs));

            List<String> fromProc = normalized(procfs.read(), true);
            List<String> fromNetlink = normalized(netlink.dump(ports), true);
            List<String> fromPerFamily = normalized(perFamily.dump(ports), true);
            List<String> fromSs = ss(ports);

            assertEquals(fromSs, normalized(procfs.read(), false), "procfs against ss -tan");
            assertEquals(fromSs, normalized(netlink.dump(ports), false), "netlink against ss -tan");
            assertEquals(fromProc, fromNetlink, "procfs against netlink, inodes included");
            assertEquals(fromProc, fromPerFamily, "one walk against a dump per family");
            assertEquals(3 * 10, fromProc.size(), "per port: the listener, 2 for the unread bytes, 2 for the close, 2 "
                    + "for the half-close, the TIME_WAIT (its peer is gone), 2 for the queued connection: " + fromProc);
        }
    }

    /**
     * On one port: a listener with a connection in its accept queue (2 sockets); a connection whose server has
     * 5 unread bytes (ESTABLISHED both); one the client closed (orphaned FIN_WAIT2, CLOSE_WAIT); one the client
     * half-closed (owned FIN_WAIT2, CLOSE_WAIT); one both closed, client first (TIME_WAIT only).
     */
    private int scene(ProtocolFamily listenFamily, String ip, ProtocolFamily clientFamily) throws IOException {
        ServerSocketChannel listener = keep(ServerSocketChannel.open(listenFamily));
        listener.bind(new InetSocketAddress(InetAddress.getByName(ip), 0), 5);
        int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        InetSocketAddress server = new InetSocketAddress(
                InetAddress.getByName(clientFamily == StandardProtocolFamily.INET ? "127.0.0.1" : "::1"), port);

        SocketChannel unread = keep(SocketChannel.open(clientFamily));
        unread.connect(server);
        keep(listener.accept());
        unread.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));

        SocketChannel closed = SocketChannel.open(clientFamily);
        closed.connect(server);
        keep(listener.accept());
        closed.close();

        SocketChannel halfClosed = keep(SocketChannel.open(clientFamily));
        halfClosed.connect(server);
        keep(listener.accept());
        halfClosed.shutdownOutput();

        SocketChannel both = SocketChannel.open(clientFamily);
        both.connect(server);
        SocketChannel bothServer = listener.accept();
        both.close();
        bothServer.close();

        keep(SocketChannel.open(clientFamily)).connect(server); // left in the accept queue
        return port;
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        open.add(closeable);
        return closeable;
    }

    private static List<TcpSocket> rows(ProcNetTcpReader procfs) {
        try {
            return procfs.read();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each port shows its two FIN_WAIT2, its TIME_WAIT, and a listener with one connection waiting. */
    private static boolean settled(ProcNetTcpReader procfs, Set<Integer> ports) {
        List<TcpSocket> rows = rows(procfs);
        return count(rows, TcpState.FIN_WAIT2) == 2 * ports.size() && count(rows, TcpState.TIME_WAIT) == ports.size()
                && rows.stream().filter(r -> r.state() == TcpState.LISTEN && r.rxQueue() == 1).count() == ports.size();
    }

    private static long count(List<TcpSocket> rows, TcpState state) {
        return rows.stream().filter(r -> r.state() == state).count();
    }

    /**
     * {@code STATE RECV-Q SEND-Q LOCAL PEER}, sorted; a listener's Send-Q left out (ss prints its backlog, /proc
     * and netstat 0), and the inode when asked (ss -tan does not print it).
     */
    private static List<String> normalized(List<TcpSocket> rows, boolean inode) {
        List<String> lines = new ArrayList<>();
        for (TcpSocket row : rows) {
            lines.add(row.state().netstatName() + " " + row.rxQueue() + " "
                    + (row.state() == TcpState.LISTEN ? "-" : Long.toString(row.txQueue())) + " "
                    + AddressText.hostPort(row.local()) + " " + AddressText.hostPort(row.remote())
                    + (inode ? " " + row.inode() : ""));
        }
        return new ArrayList<>(new TreeSet<>(lines));
    }

    /** ss -tan's rows on the ports, in the same terms. */
    private static List<String> ss(Set<Integer> ports) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder(SS.toString(), "-tan").redirectErrorStream(true).start();
        String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ss.waitFor(10, TimeUnit.SECONDS), "ss finished");
        Map<String, String> states = Map.of("ESTAB", "ESTABLISHED", "FIN-WAIT-2", "FIN_WAIT2", "CLOSE-WAIT", "CLOSE_WAIT",
                "TIME-WAIT", "TIME_WAIT", "LISTEN", "LISTEN", "FIN-WAIT-1", "FIN_WAIT1", "LAST-ACK", "LAST_ACK",
                "SYN-RECV", "SYN_RECV", "SYN-SENT", "SYN_SENT", "CLOSING", "CLOSING");
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 5 || !states.containsKey(f[0])) {
                continue;
            }
            String local = address(f[3]);
            String peer = address(f[4]);
            if (ports.stream().noneMatch(p -> local.endsWith(":" + p) || peer.endsWith(":" + p))) {
                continue;
            }
            String state = states.get(f[0]);
            lines.add(state + " " + f[1] + " " + (state.equals("LISTEN") ? "-" : f[2]) + " " + local + " " + peer);
        }
        return new ArrayList<>(new TreeSet<>(lines));
    }

    /**
     * ss's {@code [::ffff:127.0.0.1]:5000}, {@code 0.0.0.0:*} and {@code *:5000} (a dual-stack socket on
     * {@code ::}) as AddressText writes them.
     */
    private static String address(String ss) {
        String text = (ss.startsWith("*:") ? "[::]" + ss.substring(1) : ss).replace("[::ffff:", "").replace("]:*", "]:0")
                .toLowerCase(Locale.ROOT);
        if (text.endsWith(":*")) {
            text = text.substring(0, text.length() - 1) + "0";
        }
        if (!ss.startsWith("[::ffff:")) {
            return text;
        }
        return text.replace("]", "");
    }
}
