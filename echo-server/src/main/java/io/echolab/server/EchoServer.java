package io.echolab.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.echolab.common.DurationConverter;
import io.echolab.common.NetworkErrors;
import io.echolab.common.Transcript;

/**
 * echo_server2.c in Java: accept a client, echo what it sends, and close the way the options say.
 *
 * <p>One thread and one selector serve every client, so what the server holds is bounded by what it
 * serves: one after another by default (the next client is accepted once the last is closed, as the C loop
 * does), or up to {@code --max-clients} at once with {@code --concurrent}, where a client beyond that is
 * accepted, told {@code server busy: ...} and closed. A finished client leaves nothing behind; an interrupt
 * (Ctrl-C) closes every socket.
 */
public final class EchoServer implements Closeable {

    /** The read buffer, echo_server2.c's BUF_SIZE: one read() takes at most this much. */
    static final int BUF_SIZE = 1024;
    /** How many queued connections {@code --concurrent} accepts per wake-up. */
    static final int ACCEPT_BATCH = 64;

    private final ServerOptions options;
    private final Transcript out;
    private final Set<Client> active = new LinkedHashSet<>();
    private final List<SocketChannel> leaked = new ArrayList<>();
    private final TreeSet<Timer> timers = new TreeSet<>(Comparator.comparingLong(Timer::at).thenComparingLong(Timer::seq));
    private final ByteBuffer readBuffer = ByteBuffer.allocate(BUF_SIZE);
    /** Sockets closed this round, whose close(2) waits for the selector to let go of them. */
    private final List<SocketChannel> closing = new ArrayList<>();
    private ServerSocketChannel listener;
    private Selector selector;
    private int accepted;
    private long timerSeq;

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
            // Set either way: the JDK turns SO_REUSEADDR on for every server socket on Linux, the C program does not
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
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
     * @throws IOException          when accept() fails
     * @throws InterruptedException when the thread is interrupted (Ctrl-C); every socket is closed by then
     */
    public void serve() throws IOException, InterruptedException {
        if (listener == null) {
            throw new IllegalStateException("listen() first");
        }
        try {
            selector = Selector.open();
            listener.configureBlocking(false);
            SelectionKey acceptKey = listener.register(selector, 0);
            boolean armed = false;
            boolean announced = false;
            while (true) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                boolean more = options.forever() || accepted < options.clients();
                if (!more && active.isEmpty()) {
                    break;
                }
                // Accept: one client at a time as echo_server2.c, or any number (past the limit, to turn them away)
                boolean accepting = more && (options.concurrent() || active.isEmpty());
                if (accepting && !announced) {
                    out.line("waiting connection to accept...");
                    announced = true;
                }
                if (accepting != armed) {
                    acceptKey.interestOps(accepting ? SelectionKey.OP_ACCEPT : 0);
                    armed = accepting;
                }
                selector.select(untilNextTimer());
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    if (key == acceptKey) {
                        if (key.isValid() && key.isAcceptable() && acceptAll() > 0) {
                            announced = false;
                        }
                    } else if (key.attachment() instanceof Client client) {
                        serve(client, key);
                    }
                }
                fireTimers();
                closeDeregistered();
            }
        } finally {
            // The selector first: while it holds the listener, closing it would leave it listening
            if (selector != null) {
                selector.close();
            }
            listener.close();
        }
        if (options.noClose() && !leaked.isEmpty()) {
            out.line("holding " + leaked.size() + " unclosed client socket(s) in CLOSE_WAIT until interrupted (Ctrl-C)");
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /**
     * Accepts what the kernel has queued: one connection one after another, as the C loop does; every one
     * with {@code --concurrent}, so a burst of clients does not overflow the listen queue while the server
     * takes one per wake-up (at most {@link #ACCEPT_BATCH}, so a flood cannot starve the clients being
     * served). Returns how many it accepted.
     */
    private int acceptAll() throws IOException {
        int n = 0;
        while ((options.concurrent() ? n < ACCEPT_BATCH : n == 0) && (options.forever() || accepted < options.clients())
                && accept()) {
            n++;
        }
        return n;
    }

    /** Accepts one connection; false when there was none after all. */
    private boolean accept() throws IOException {
        SocketChannel channel = listener.accept();
        if (channel == null) {
            return false;
        }
        InetSocketAddress peer = (InetSocketAddress) channel.getRemoteAddress();
        if (active.size() >= options.maxClients()) {
            turnAway(channel, peer);
            return true;
        }
        Client client = new Client(accepted++, channel);
        out.line("Connected client[" + client.index + "]: " + format(peer));
        active.add(client);
        try {
            options.tuning().applyTo(channel);
            channel.configureBlocking(false);
            client.key = channel.register(selector, SelectionKey.OP_READ, client);
        } catch (IOException e) {
            out.line("read from client[" + client.index + "] error: [" + NetworkErrors.reason(e) + "]");
            closeClient(client);
            return true;
        }
        client.lastRead = System.nanoTime();
        if (options.idleTimeout().isPresent()) {
            client.idle = schedule(client, client.lastRead, options.idleTimeout().get(), Timer.Kind.IDLE);
        }
        return true;
    }

    /** Past --max-clients: one line to the client, then close (this side closes first: a TIME_WAIT here). */
    private void turnAway(SocketChannel channel, InetSocketAddress peer) {
        out.line("server busy, turned away " + format(peer));
        try (channel) {
            channel.configureBlocking(false);
            channel.write(ByteBuffer.wrap(busyLine(options.maxClients()).getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // The client went first; the line above says it was turned away
        }
    }

    /** What a client turned away reads before the server closes. */
    static String busyLine(int maxClients) {
        return "server busy: " + maxClients + " clients connected (--max-clients " + maxClients + "), try again later\n";
    }

    /** Reads and echoes what one client sent, or finishes the echo that did not fit in its send buffer. */
    private void serve(Client client, SelectionKey key) {
        if (!key.isValid() || client.closed) {
            return;
        }
        if (key.isWritable()) {
            flushEcho(client);
            return;
        }
        if (!key.isReadable()) {
            return;
        }
        // Read
        int i = client.index;
        readBuffer.clear();
        int n;
        try {
            n = client.channel.read(readBuffer);
        } catch (IOException e) {
            out.line("read from client[" + i + "] error: [" + NetworkErrors.reason(e) + "]");
            closeClient(client);
            return;
        }
        if (n < 0) {
            out.line("client[" + i + "] closed");
            afterEof(client);
            return;
        }
        if (n == 0) {
            return;
        }
        client.lastRead = System.nanoTime();
        if (lineTooLong(client, n)) {
            out.line("client[" + i + "] sent a line longer than " + options.maxLine() + " bytes");
            closeClient(client);
            return;
        }
        // Echo; what the socket does not take at once waits in a buffer of the client's own
        readBuffer.flip();
        client.pending = readBuffer;
        flushEcho(client);
    }

    /** Counts the bytes since the last newline; true once they pass --max-line. */
    private boolean lineTooLong(Client client, int n) {
        if (options.maxLine() == 0) {
            return false;
        }
        byte[] bytes = readBuffer.array();
        for (int b = 0; b < n; b++) {
            client.lineLength = bytes[b] == '\n' ? 0 : client.lineLength + 1;
            if (client.lineLength > options.maxLine()) {
                return true;
            }
        }
        return false;
    }

    /** Writes the pending echo; while some is left, waits for the socket to take more instead of reading. */
    private void flushEcho(Client client) {
        try {
            client.channel.write(client.pending);
        } catch (IOException e) {
            out.line("write to client[" + client.index + "] failed: [" + NetworkErrors.reason(e) + "]");
            client.pending.position(client.pending.limit());
        }
        if (client.pending.hasRemaining()) {
            if (client.pending == readBuffer) {
                client.pending = ByteBuffer.allocate(readBuffer.remaining()).put(readBuffer).flip();
            }
            client.key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        client.pending = null;
        client.key.interestOps(SelectionKey.OP_READ);
        client.echoed++;
        if (options.closeAfter().isPresent() && client.echoed == options.closeAfter().getAsInt()) {
            // Close first: this side will hold the TIME_WAIT (or send RST with --linger 0)
            out.line("server closes first after " + client.echoed + " message(s)");
            closeClient(client);
        }
    }

    /** The client closed its side: leave ours open, say goodbye, or sleep and close, as configured. */
    private void afterEof(Client client) {
        cancel(client.idle);
        if (options.noClose()) {
            out.line("server leaves client[" + client.index + "] socket open: it stays in CLOSE_WAIT");
            client.key.cancel();
            leaked.add(client.channel);
            client.closed = true;
            active.remove(client);
            return;
        }
        if (options.farewell().isPresent()) {
            String farewell = options.farewell().get();
            try {
                client.channel.write(ByteBuffer.wrap((farewell + "\n").getBytes(StandardCharsets.UTF_8)));
                out.line("server send farewell: " + farewell);
            } catch (IOException e) {
                out.line("write to client[" + client.index + "] failed: [" + NetworkErrors.reason(e) + "]");
            }
        }
        // Sleep: the server side sits in CLOSE_WAIT, the client in FIN_WAIT2, for the close delay
        Duration delay = options.closeDelay();
        out.line("server sleep " + DurationConverter.seconds(delay) + " seconds");
        client.key.interestOps(0);
        if (delay.isZero()) {
            closeClient(client);
        } else {
            schedule(client, System.nanoTime(), delay, Timer.Kind.CLOSE);
        }
    }

    private void closeClient(Client client) {
        out.line("server close client socket");
        client.closed = true;
        cancel(client.idle);
        if (client.key == null) {
            closeQuietly(client.channel);
        } else {
            client.key.cancel();
            closing.add(client.channel);
        }
        active.remove(client);
    }

    /**
     * Closes the sockets closed this round, once the selector has let go of them. The JDK does not close a
     * socket a selector still holds: it shuts its output down (a FIN) and closes it later. That FIN would
     * change what the lab shows: close() with unread data must send RST at once (S8), as echo_server2.c's does.
     */
    private void closeDeregistered() throws IOException {
        if (closing.isEmpty()) {
            return;
        }
        selector.selectNow();
        for (SocketChannel channel : closing) {
            closeQuietly(channel);
        }
        closing.clear();
    }

    private Timer schedule(Client client, long fromNanos, Duration after, Timer.Kind kind) {
        long at = saturatedAdd(fromNanos, after);
        Timer timer = new Timer(at, timerSeq++, client, kind);
        timers.add(timer);
        return timer;
    }

    private void cancel(Timer timer) {
        if (timer != null) {
            timers.remove(timer);
        }
    }

    /** The select timeout: until the next timer is due, 0 (none) for ever. */
    private long untilNextTimer() {
        if (timers.isEmpty()) {
            return 0;
        }
        long nanos = timers.first().at() - System.nanoTime();
        return nanos <= 0 ? 1 : Math.max(1, (nanos + 999_999) / 1_000_000);
    }

    private void fireTimers() {
        long now = System.nanoTime();
        while (!timers.isEmpty() && timers.first().at() - now <= 0) {
            Timer timer = timers.pollFirst();
            Client client = timer.client();
            if (client.closed) {
                continue;
            }
            if (timer.kind() == Timer.Kind.CLOSE) {
                closeClient(client);
            } else if (now - client.lastRead >= options.idleTimeout().orElseThrow().toNanos()) {
                out.line("client[" + client.index + "] idle " + DurationConverter.seconds(options.idleTimeout().get())
                        + " seconds");
                closeClient(client);
            } else {
                client.idle = schedule(client, client.lastRead, options.idleTimeout().get(), Timer.Kind.IDLE);
            }
        }
    }

    private static long saturatedAdd(long nanos, Duration after) {
        long add = after.getSeconds() > Long.MAX_VALUE / 2_000_000_000L ? Long.MAX_VALUE / 2 : after.toNanos();
        long sum = nanos + add;
        return sum < nanos ? Long.MAX_VALUE : sum;
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

    /** How many clients are being served now (for tests: finished ones must not stay). */
    int activeClients() {
        return active.size();
    }

    /** Closes the listener, every client's socket, and any held open by {@code --no-close}. */
    @Override
    public void close() throws IOException {
        // The selector first: it lets go of every socket, so each close below is a close(2) at once
        if (selector != null) {
            selector.close();
        }
        if (listener != null) {
            listener.close();
        }
        for (SocketChannel channel : closing) {
            closeQuietly(channel);
        }
        closing.clear();
        for (Client client : active) {
            client.closed = true;
            closeQuietly(client.channel);
        }
        active.clear();
        timers.clear();
        for (SocketChannel client : leaked) {
            closeQuietly(client);
        }
        leaked.clear();
    }

    /** One accepted client and where its echo stands. */
    private static final class Client {
        final int index;
        final SocketChannel channel;
        SelectionKey key;
        ByteBuffer pending;
        long lastRead;
        long lineLength;
        int echoed;
        Timer idle;
        boolean closed;

        Client(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
        }
    }

    /** A close delay's end, or an idle check, due at {@code at} (System.nanoTime). */
    private record Timer(long at, long seq, Client client, Kind kind) {
        enum Kind { CLOSE, IDLE }
    }
}
