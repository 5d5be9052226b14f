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
import java.util.concurrent.TimeUnit;

import io.echolab.testing.Await;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.proc.ProcNetTcp;
import io.echolab.watcher.report.NetstatRenderer;
import org.junit.jupiter.api.Test;

/** Our rows against /usr/bin/netstat's for the same live loopback sockets. */
class NetstatLiveTest {

    private static final Path NETSTAT = Path.of("/usr/bin/netstat");

    @Test
    void rowsMatchNetstatForLiveSockets() throws Exception {
        assumeTrue(Files.isExecutable(NETSTAT), "no /usr/bin/netstat here");
        List<AutoCloseable> open = new ArrayList<>();
        try {
            int v4 = scene(StandardProtocolFamily.INET, "127.0.0.1", open);
            int v6 = scene(StandardProtocolFamily.INET6, "::1", open);
            List<Integer> ports = List.of(v4, v6);
            // Wait until the kernel shows what the scene set up: queued bytes, a pending connection.
            Await.until("5 unread bytes and 1 pending connection on each port", () -> settled(ports), () -> rows(ports));

            List<String> ours = rows(ports).stream().map(NetstatRenderer::row).sorted().toList();
            List<String> theirs = netstat(ports).stream().sorted().toList();

            assertEquals(theirs, ours, "netstat -ant's rows for ports " + ports);
            assertEquals(10, ours.size(), "per port: listener, two clients, one accepted and one pending server side");
        } finally {
            for (AutoCloseable closeable : open) {
                closeable.close();
            }
        }
    }

    /** A listener, an accepted connection with 5 bytes the server has not read, and one left in the accept queue. */
    private static int scene(ProtocolFamily family, String ip, List<AutoCloseable> open) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open(family);
        open.add(listener);
        listener.bind(new InetSocketAddress(InetAddress.getByName(ip), 0), 5);
        InetSocketAddress server = (InetSocketAddress) listener.getLocalAddress();
        SocketChannel client = SocketChannel.open(family);
        open.add(client);
        client.connect(server);
        open.add(listener.accept());
        client.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
        SocketChannel pending = SocketChannel.open(family);
        open.add(pending);
        pending.connect(server);
        return server.getPort();
    }

    private static boolean settled(List<Integer> ports) {
        List<TcpSocket> rows = rows(ports);
        long listenersWithOnePending = rows.stream().filter(r -> r.state() == TcpState.LISTEN && r.rxQueue() == 1).count();
        long withFiveBytes = rows.stream().filter(r -> r.state() == TcpState.ESTABLISHED && r.rxQueue() == 5).count();
        return listenersWithOnePending == ports.size() && withFiveBytes == ports.size();
    }

    private static List<TcpSocket> rows(List<Integer> ports) {
        try {
            return ProcNetTcp.read(Path.of("/proc")).stream()
                    .filter(r -> ports.contains(r.local().getPort()) || ports.contains(r.remote().getPort())).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** netstat -ant's rows that have one of the ports, trailing blanks trimmed. */
    private static List<String> netstat(List<Integer> ports) throws IOException, InterruptedException {
        Process netstat = new ProcessBuilder(NETSTAT.toString(), "-ant").redirectErrorStream(true).start();
        String output = new String(netstat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(netstat.waitFor(10, TimeUnit.SECONDS), "netstat finished");
        List<String> rows = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 6 && fields[0].startsWith("tcp")
                    && ports.stream().anyMatch(p -> fields[3].endsWith(":" + p) || fields[4].endsWith(":" + p))) {
                rows.add(line.stripTrailing());
            }
        }
        return rows;
    }
}
