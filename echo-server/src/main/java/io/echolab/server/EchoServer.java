package io.echolab.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.echolab.common.DurationConverter;
import io.echolab.common.NetworkErrors;
import io.echolab.common.Transcript;

/** echo_server2.c in Java: accept a client, echo what it sends, and close the way the options say. */
public final class EchoServer implements Closeable {

    /** The read buffer, echo_server2.c's BUF_SIZE: one read() takes at most this much. */
    static final int BUF_SIZE = 1024;

    private final ServerOptions options;
    private final Transcript out;
    private final List<SocketChannel> leaked = new ArrayList<>();
    private final List<Thread> handlers = new ArrayList<>();
    private ServerSocketChannel listener;

    public EchoServer(ServerOptions options, Transcript out) {
        this.options = options;
        this.out = out;
    }

    /**
     * Binds and listens, as socket(), bind() and listen() do: an AF_INET socket for an IPv4 address,
     * AF_INET6 for an IPv6 one.
     *
     * @return the address the kernel bound, with the port it chose when the port was 0
     */
    public InetSocketAddress listen() throws IOException {
        listener = ServerSocketChannel.open(options.bind() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try {
            listener.bind(new InetSocketAddress(options.bind(), options.port()), options.backlog());
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        return (InetSocketAddress) listener.getLocalAddress();
    }

    /**
     * Serves the configured number of clients, then closes the listener. With {@code --no-close} it then
     * holds the accepted sockets open until the thread is interrupted or the process ends.
     *
     * @throws IOException when accept() fails
     */
    public void serve() throws IOException, InterruptedException {
        if (listener == null) {
            throw new IllegalStateException("listen() first");
        }
        try {
            for (int i = 0; options.forever() || i < options.clients(); i++) {
                // Accept
                out.line("waiting connection to accept...");
                SocketChannel client = listener.accept();
                InetSocketAddress peer = (InetSocketAddress) client.getRemoteAddress();
                out.line("Connected client[" + i + "]: " + format(peer));
                options.tuning().applyTo(client);
                if (options.concurrent()) {
                    int index = i;
                    Thread handler = new Thread(() -> serveClient(index, client), "client-" + i);
                    handlers.add(handler);
                    handler.start();
                } else {
                    serveClient(i, client);
                }
            }
            for (Thread handler : handlers) {
                handler.join();
            }
        } finally {
            listener.close();
        }
        if (options.noClose() && !leaked.isEmpty()) {
            out.line("holding " + leaked.size() + " unclosed client socket(s) in CLOSE_WAIT until interrupted (Ctrl-C)");
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** Echoes one client until it closes, fails, or the server decides to close first. */
    private void serveClient(int i, SocketChannel client) {
        ByteBuffer buffer = ByteBuffer.allocate(BUF_SIZE);
        int echoed = 0;
        try {
            while (true) {
                // Read
                buffer.clear();
                int n;
                try {
                    n = client.read(buffer);
                } catch (IOException e) {
                    out.line("read from client[" + i + "] error: [" + NetworkErrors.reason(e) + "]");
                    closeClient(client);
                    return;
                }
                if (n < 0) {
                    out.line("client[" + i + "] closed");
                    afterEof(i, client);
                    return;
                }
                // Echo
                buffer.flip();
                try {
                    while (buffer.hasRemaining()) {
                        client.write(buffer);
                    }
                } catch (IOException e) {
                    out.line("write to client[" + i + "] failed: [" + NetworkErrors.reason(e) + "]");
                }
                echoed++;
                if (options.closeAfter().isPresent() && echoed == options.closeAfter().getAsInt()) {
                    // Close first: this side will hold the TIME_WAIT (or send RST with --linger 0)
                    out.line("server closes first after " + echoed + " message(s)");
                    closeClient(client);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(client);
        }
    }

    /** The client closed its side: leave ours open, say goodbye, or sleep and close, as configured. */
    private void afterEof(int i, SocketChannel client) throws InterruptedException {
        if (options.noClose()) {
            out.line("server leaves client[" + i + "] socket open: it stays in CLOSE_WAIT");
            synchronized (leaked) {
                leaked.add(client);
            }
            return;
        }
        if (options.farewell().isPresent()) {
            String farewell = options.farewell().get();
            try {
                client.write(ByteBuffer.wrap((farewell + "\n").getBytes(StandardCharsets.UTF_8)));
                out.line("server send farewell: " + farewell);
            } catch (IOException e) {
                out.line("write to client[" + i + "] failed: [" + NetworkErrors.reason(e) + "]");
            }
        }
        Duration delay = options.closeDelay();
        out.line("server sleep " + DurationConverter.seconds(delay) + " seconds");
        Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
        closeClient(client);
    }

    private void closeClient(SocketChannel client) {
        out.line("server close client socket");
        closeQuietly(client);
    }

    private static void closeQuietly(SocketChannel client) {
        try {
            client.close();
        } catch (IOException ignored) {
            // close(2) errors on a socket only report what the peer already saw; nothing to do about them
        }
    }

    /** {@code 127.0.0.1:61063} as inet_ntoa prints it; IPv6 in brackets so the port stays readable. */
    static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet4Address ? host : "[" + host + "]") + ":" + address.getPort();
    }

    /** Closes the listener and any sockets held open by {@code --no-close}. */
    @Override
    public void close() throws IOException {
        if (listener != null) {
            listener.close();
        }
        synchronized (leaked) {
            for (SocketChannel client : leaked) {
                closeQuietly(client);
            }
            leaked.clear();
        }
    }
}
