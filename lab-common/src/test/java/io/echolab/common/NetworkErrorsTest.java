package io.echolab.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;

/** The reasons and exit codes for failures the kernel really produces on loopback. */
class NetworkErrorsTest {

    @Test
    void refusedConnectionIsUnavailable() throws IOException {
        int closedPort;
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
            IOException e = assertThrowsIo(() -> client.connect(new InetSocketAddress("127.0.0.1", closedPort)));
            assertEquals("Connection refused", NetworkErrors.reason(e));
            assertEquals(ExitCode.UNAVAILABLE, NetworkErrors.exitCode(e));
        }
    }

    @Test
    void portInUseIsATemporaryFailure() throws IOException {
        try (ServerSocketChannel first = ServerSocketChannel.open(StandardProtocolFamily.INET);
             ServerSocketChannel second = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            first.bind(new InetSocketAddress("127.0.0.1", 0));
            IOException e = assertThrowsIo(() -> second.bind(first.getLocalAddress()));
            assertEquals("Address already in use", NetworkErrors.reason(e));
            assertEquals(ExitCode.ADDRESS_IN_USE, NetworkErrors.exitCode(e));
        }
    }

    @Test
    void resetIsWordedAsStrerrorDoes() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
            client.connect(listener.getLocalAddress());
            try (SocketChannel accepted = listener.accept()) {
                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                client.close();
                IOException e = assertThrowsIo(() -> accepted.read(ByteBuffer.allocate(16)));
                assertEquals("Connection reset by peer", NetworkErrors.reason(e));
                assertEquals(ExitCode.IO, NetworkErrors.exitCode(e));
            }
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static IOException assertThrowsIo(IoAction action) {
        return org.junit.jupiter.api.Assertions.assertThrows(IOException.class, action::run);
    }
}
