package io.echolab.watcher.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import io.echolab.watcher.model.TcpPacket;
import io.echolab.watcher.model.TcpPacket.Flag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packet capture with its real kernel filter, on loopback: what passes and what does not, each packet once,
 * stamped on the wall clock. Root only (a packet socket needs CAP_NET_RAW); CI runs as root, where a capture that
 * cannot be opened fails the test.
 */
@Timeout(60)
class PacketCaptureTest {

    private static final byte[] LINE = "aa\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void onlyTheWatchedPortsSegmentsPassEachOnce() throws Exception {
        assumeTrue(root(), "a packet socket is root's; CI runs as root");
        try (ServerSocketChannel watched = listener("127.0.0.1"); ServerSocketChannel other = listener("127.0.0.1")) {
            int port = port(watched);
            int otherPort = port(other);
            Instant before = Instant.now();
            try (PacketCapture capture = PacketCapture.open(Set.of(port))) {
                // A whole connection on the other port first: had the filter let it through, its packets would
                // be queued before any of the watched port's
                Exchange unwatched = exchange(other);
                Exchange seen = exchange(watched);
                awaitPackets(capture, "the watched connection's last ACK", packets -> packets.stream().anyMatch(
                        p -> p.source().equals(seen.client) && p.flags().equals(Set.of(Flag.ACK))
                                && packets.stream().anyMatch(f -> f.source().equals(seen.server) && f.has(Flag.FIN)
                                        && f.time().compareTo(p.time()) <= 0)));
                Instant after = Instant.now();
                List<TcpPacket> packets = capture.packets();

                assertTrue(packets.stream().noneMatch(p -> p.source().getPort() == otherPort
                        || p.destination().getPort() == otherPort), "nothing of port " + otherPort + ": " + packets);
                assertTrue(packets.stream().allMatch(p -> p.between(seen.client, seen.server)),
                        "only the watched connection: " + packets);
                assertEquals(1, count(packets, p -> p.flags().equals(Set.of(Flag.SYN))), "one SYN, not two: " + packets);
                assertEquals(1, count(packets, p -> p.flags().equals(Set.of(Flag.SYN, Flag.ACK))), "one SYN-ACK: " + packets);
                assertEquals(1, count(packets, p -> p.source().equals(seen.client) && p.payloadLength() == LINE.length),
                        "the client's 3 bytes, once: " + packets);
                assertEquals(1, count(packets, p -> p.source().equals(seen.client) && p.has(Flag.FIN)), "its FIN, once");
                assertEquals(1, count(packets, p -> p.source().equals(seen.server) && p.has(Flag.FIN)), "the server's FIN, once");
                assertTrue(packets.stream().allMatch(p -> p.interfaceName().equals("lo")), "all on lo: " + packets);
                for (TcpPacket packet : packets) {
                    assertFalse(packet.time().isBefore(before) || packet.time().isAfter(after),
                            "stamped on the wall clock, between " + before + " and " + after + ": " + packet);
                }
                TcpPacket syn = packets.stream().filter(p -> p.has(Flag.SYN) && !p.has(Flag.ACK)).findFirst().orElseThrow();
                TcpPacket synAck = packets.stream().filter(p -> p.has(Flag.SYN) && p.has(Flag.ACK)).findFirst().orElseThrow();
                assertEquals((syn.seq() + 1) & 0xFFFF_FFFFL, synAck.ack(), "the SYN-ACK acknowledges the SYN's number");
                assertEquals(0, capture.malformed());
                unwatched.close();
                seen.close();
            }
        }
    }

    @Test
    void ipv6LoopbackToo() throws Exception {
        assumeTrue(root(), "a packet socket is root's; CI runs as root");
        try (ServerSocketChannel watched = listener("::1")) {
            try (PacketCapture capture = PacketCapture.open(Set.of(port(watched)))) {
                Exchange seen = exchange(watched);
                awaitPackets(capture, "the server's FIN over ::1",
                        packets -> packets.stream().anyMatch(p -> p.source().equals(seen.server) && p.has(Flag.FIN)));
                List<TcpPacket> packets = capture.packets();
                assertEquals(1, count(packets, p -> p.flags().equals(Set.of(Flag.SYN)) && p.source().equals(seen.client)),
                        "one SYN from [::1]:" + seen.client.getPort() + ": " + packets);
                assertEquals(1, count(packets, p -> p.source().equals(seen.client) && p.payloadLength() == LINE.length),
                        "the 3 bytes once: " + packets);
                seen.close();
            }
        }
    }

    @Test
    void everyTcpSegmentWithoutPorts() throws Exception {
        assumeTrue(root(), "a packet socket is root's; CI runs as root");
        try (ServerSocketChannel listener = listener("127.0.0.1"); PacketCapture capture = PacketCapture.open(Set.of())) {
            Exchange seen = exchange(listener);
            awaitPackets(capture, "the connection's SYN", packets -> packets.stream().anyMatch(
                    p -> p.source().equals(seen.client) && p.has(Flag.SYN)));
            seen.close();
        }
    }

    @Test
    void inAnotherNetworkNamespaceOnlyThatNamespacesPackets() throws Exception {
        assumeTrue(root(), "namespaces and packet sockets are root's; CI runs as root");
        String namespace = "echolab-capture-" + ProcessHandle.current().pid();
        int port;
        try (ServerSocketChannel probe = listener("127.0.0.1")) {
            port = port(probe); // a port this namespace leaves alone for a while: nothing of ours uses it
        }
        run("ip", "netns", "add", namespace);
        Process holder = null;
        try {
            run("ip", "-n", namespace, "link", "set", "lo", "up");
            // A process in the namespace, for its pid: what --pid names
            holder = new ProcessBuilder("ip", "netns", "exec", namespace, "sleep", "60").start();
            long pid = holder.pid();
            Path ns = Path.of("/proc", Long.toString(pid), "ns", "net");
            Path own = Path.of("/proc/self/ns/net");
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!Files.exists(ns) || Files.readSymbolicLink(ns).equals(Files.readSymbolicLink(own))) {
                if (System.nanoTime() - deadline > 0) {
                    fail("the holder never entered " + namespace);
                }
                LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
            }
            try (PacketCapture host = PacketCapture.open(Set.of(port));
                    PacketCapture capture = PacketCapture.openInNamespaceOf(pid, Set.of(port))) {
                // A connect inside the namespace, to a port nothing listens on there: SYN, then RST
                run("ip", "netns", "exec", namespace, "bash", "-c",
                        "exec 3<>/dev/tcp/127.0.0.1/" + port + " || true");
                awaitPackets(capture, "the SYN and the RST inside " + namespace, packets ->
                        packets.stream().anyMatch(p -> p.has(Flag.RST)));
                List<TcpPacket> packets = capture.packets();
                assertEquals(1, count(packets, p -> p.flags().equals(Set.of(Flag.SYN))), "one SYN: " + packets);
                assertTrue(packets.stream().allMatch(p -> p.interfaceName().equals("lo")), "its own lo: " + packets);
                TcpPacket syn = packets.stream().filter(p -> p.has(Flag.SYN)).findFirst().orElseThrow();
                assertTrue(host.packets().stream().noneMatch(p -> p.has(Flag.SYN) && p.seq() == syn.seq()),
                        "this namespace's capture did not see it: " + host.packets());
            }
        } finally {
            if (holder != null) {
                holder.destroy();
                holder.waitFor();
            }
            run("ip", "netns", "del", namespace);
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    /** A client and its accepted socket: connect, 3 bytes, the client closes first, then the server. */
    private record Exchange(InetSocketAddress client, InetSocketAddress server, SocketChannel a, SocketChannel b) {
        void close() throws IOException {
            a.close();
            b.close();
        }
    }

    private static Exchange exchange(ServerSocketChannel listener) throws IOException {
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        SocketChannel accepted = listener.accept();
        client.write(ByteBuffer.wrap(LINE));
        ByteBuffer in = ByteBuffer.allocate(LINE.length);
        while (in.hasRemaining()) {
            accepted.read(in);
        }
        Exchange exchange = new Exchange((InetSocketAddress) client.getLocalAddress(),
                (InetSocketAddress) accepted.getLocalAddress(), client, accepted);
        client.close();
        ByteBuffer eof = ByteBuffer.allocate(1);
        if (accepted.read(eof) != -1) {
            throw new IllegalStateException("the client sent more than its line");
        }
        accepted.close();
        return exchange;
    }

    private static void awaitPackets(PacketCapture capture, String what, Predicate<List<TcpPacket>> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.test(capture.packets())) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what + "; captured " + capture.packets());
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }

    private static long count(List<TcpPacket> packets, Predicate<TcpPacket> which) {
        return packets.stream().filter(which).count();
    }

    private static ServerSocketChannel listener(String address) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        return listener;
    }

    private static int port(ServerSocketChannel listener) throws IOException {
        return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    static boolean root() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(line -> line.startsWith("Uid:") && line.split("\\s+")[2].equals("0"));
    }
}
