package io.echolab.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/** A listener on 127.0.0.1 that handles each connection with the given behaviour, for as long as the test runs. */
final class LoopbackPeer implements AutoCloseable {

    /** What the peer does with one accepted connection; it closes the connection afterwards. */
    @FunctionalInterface
    interface Behaviour {
        void handle(SocketChannel connection) throws IOException;
    }

    /** Reads until EOF and never answers: a server that hangs mid-echo. */
    static final Behaviour SILENT = connection -> {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (connection.read(buffer.clear()) >= 0) {
            // swallow it
        }
    };

    /** Echoes until EOF, like echo_server2.c with no close delay. */
    static final Behaviour ECHO = connection -> {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (connection.read(buffer.clear()) >= 0) {
            buffer.flip();
            while (buffer.hasRemaining()) {
                connection.write(buffer);
            }
        }
    };

    private final ServerSocketChannel listener;
    private final Thread acceptor;
    private final AtomicInteger accepted = new AtomicInteger();

    LoopbackPeer(Behaviour behaviour) throws IOException {
        listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
        listener.bind(new InetSocketAddress("127.0.0.1", 0), 200);
        acceptor = new Thread(() -> {
            while (listener.isOpen()) {
                try (SocketChannel connection = listener.accept()) {
                    accepted.incrementAndGet();
                    behaviour.handle(connection);
                } catch (IOException e) {
                    // the client's side of the story is what the tests assert; a failed connection here is one of them
                }
            }
        }, "loopback-peer");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** How many connections it has accepted so far. */
    int accepted() {
        return accepted.get();
    }

    int port() throws IOException {
        return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        listener.close();
        acceptor.join(5_000);
    }
}
