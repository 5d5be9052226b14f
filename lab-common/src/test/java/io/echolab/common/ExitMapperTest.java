package io.echolab.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The situations, lines and exit codes for failures the kernel really produces on loopback. */
class ExitMapperTest {

    @Test
    void refusedConnectionIsUnavailable() throws IOException {
        int closedPort = closedPort();
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
            IOException e = assertThrows(IOException.class,
                    () -> client.connect(new InetSocketAddress("127.0.0.1", closedPort)));
            Failure f = ExitMapper.failure("connect socket failed", e);
            assertEquals(new Failure(Situation.REFUSED, "connect socket failed: Connection refused"), f);
            assertEquals(ExitCode.UNAVAILABLE, f.exitCode());
        }
    }

    @Test
    void portInUseIsATemporaryFailure() throws IOException {
        try (ServerSocketChannel first = ServerSocketChannel.open(StandardProtocolFamily.INET);
             ServerSocketChannel second = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            first.bind(new InetSocketAddress("127.0.0.1", 0));
            IOException e = assertThrows(IOException.class, () -> second.bind(first.getLocalAddress()));
            assertEquals(new Failure(Situation.ADDRESS_IN_USE, "bind socket failed: Address already in use"),
                    ExitMapper.failure("bind socket failed", e));
            assertEquals(ExitCode.ADDRESS_IN_USE, ExitMapper.exitCode(e));
        }
    }

    @Test
    void bindingAnAddressTheHostLacksIsNotAvailable() throws IOException {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never a local address
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            IOException e = assertThrows(IOException.class,
                    () -> listener.bind(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 0)));
            assertEquals(new Failure(Situation.ADDRESS_NOT_AVAILABLE, "bind socket failed: Cannot assign requested address"),
                    ExitMapper.failure("bind socket failed", e));
            assertEquals(ExitCode.UNAVAILABLE, ExitMapper.exitCode(e));
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
                IOException e = assertThrows(IOException.class, () -> accepted.read(ByteBuffer.allocate(16)));
                assertEquals(new Failure(Situation.CONNECTION_FAILED, "read failed: Connection reset by peer"),
                        ExitMapper.failure("read failed", e));
                assertEquals(ExitCode.IO, ExitMapper.exitCode(e));
            }
        }
    }

    @Test
    void anUnknownHostIsNoHost() {
        UnknownHostException e = assertThrows(UnknownHostException.class,
                () -> new Host("no.such.host.invalid").resolve());
        Failure f = new Host("no.such.host.invalid").unknown(e);
        assertEquals(Situation.UNKNOWN_HOST, f.situation());
        assertEquals(ExitCode.NO_HOST, f.exitCode());
        assertEquals(true, f.message().startsWith("unknown host 'no.such.host.invalid'"), f.message());
    }

    @Test
    void errnoWordsTheJdkUsesAreMappedInOnePlace() {
        // EACCES on bind (a port below 1024 without root) comes as this; as root the kernel will not produce it
        assertEquals(Situation.PERMISSION_DENIED, ExitMapper.situation(new BindException("Permission denied")));
        assertEquals(Situation.TIMED_OUT, ExitMapper.situation(new java.net.ConnectException("Connection timed out")));
        assertEquals(Situation.UNREACHABLE, ExitMapper.situation(new java.net.SocketException("Network is unreachable")));
    }

    @Test
    void whatIsNotANetworkFailureIsSoftwareOrUsage() {
        assertEquals(Situation.INTERRUPTED, ExitMapper.situation(new InterruptedException()));
        assertEquals(Situation.CONNECTION_FAILED, ExitMapper.situation(new java.nio.channels.AsynchronousCloseException()),
                "an exception without a message");
        assertEquals(Situation.CONNECTION_FAILED,
                ExitMapper.situation(new UncheckedIOException(new IOException("Broken pipe"))));
        assertEquals(Situation.BAD_USAGE,
                ExitMapper.situation(new CommandLine.ParameterException(new CommandLine(CommandLine.Model.CommandSpec.create()), "bad")));
        Failure bug = ExitMapper.failure("echo-server", new IllegalStateException("oops"));
        assertEquals(new Failure(Situation.INTERNAL_ERROR, "echo-server: internal error: java.lang.IllegalStateException: oops"), bug);
        assertEquals(ExitCode.SOFTWARE, bug.exitCode());
    }

    private static int closedPort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }
}
