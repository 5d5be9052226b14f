package io.echolab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.List;

import io.echolab.watcher.model.Connection;
import org.junit.jupiter.api.Test;

/**
 * The C programs' sockets are AF_INET: rows in /proc/net/tcp, "tcp" in netstat. The JVM's default is a
 * dual-stack AF_INET6 socket, a "tcp6 ::ffff:127.0.0.1" row; the ports must not fall back to it. An IPv6
 * address gets AF_INET6.
 */
class AddressFamilyTest {

    @Test
    void ipv4AddressesGetAfInetSockets() throws Exception {
        try (Lab lab = LocalLab.start()) {
            lab.connect(List.of("--close-delay", "0"), List.of("--hold", "0"));
            assertProto("tcp", lab.story());
        }
    }

    @Test
    void ipv6AddressesGetAfInet6Sockets() throws Exception {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback on this machine: ::1 cannot be bound");
        try (Lab lab = LocalLab.start()) {
            lab.connect("::1", List.of("--bind", "::1", "--close-delay", "0"), List.of("--hold", "0"));
            Story story = lab.story();
            assertProto("tcp6", story);
            assertEquals(InetAddress.getByName("::1"), story.clientSide().orElseThrow().key().local().getAddress());
        }
    }

    private static void assertProto(String proto, Story story) {
        for (Connection c : List.of(story.listener().orElseThrow(), story.serverSide().orElseThrow(),
                story.clientSide().orElseThrow())) {
            assertEquals(proto, c.key().proto(), "the row's table says the socket's family: " + c.key());
        }
    }

    private static boolean ipv6Loopback() {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            probe.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
