package io.echolab.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.echolab.common.NetworkErrors;

/**
 * Opens many short connections one after another, each closed by this side first: the way to pile up
 * TIME_WAIT sockets and run out of ephemeral ports. Bounded by a count and by a time limit.
 */
public final class LoadGenerator {

    /** Progress callback: (attempted so far, failed so far). */
    @FunctionalInterface
    public interface Progress {
        void update(int attempted, int failed);
    }

    private final LoadOptions options;
    private final Progress progress;

    public LoadGenerator(LoadOptions options, Progress progress) {
        this.options = options;
        this.progress = progress;
    }

    /** Runs the connections and counts what happened; failures are results here, not exceptions. */
    public LoadResult run() {
        Map<String, Integer> failures = new LinkedHashMap<>();
        long start = System.nanoTime();
        long deadline = start + options.maxTime().toNanos();
        int attempted = 0;
        int made = 0;
        boolean stoppedByTime = false;
        for (int i = 0; i < options.connections(); i++) {
            if (System.nanoTime() - deadline >= 0) {
                stoppedByTime = true;
                break;
            }
            attempted++;
            try {
                oneConnection(i);
                made++;
            } catch (IOException e) {
                failures.merge(NetworkErrors.reason(e), 1, Integer::sum);
            }
            progress.update(attempted, attempted - made);
        }
        return new LoadResult(attempted, made, failures, Duration.ofNanos(System.nanoTime() - start), stoppedByTime);
    }

    /** Connect, send the line, read it back, close first. */
    private void oneConnection(int i) throws IOException {
        InetAddress peer = options.server().getAddress();
        int timeoutMillis = (int) options.timeout().toMillis();
        try (SocketChannel socket = Sockets.open(peer)) {
            options.tuning().applyTo(socket);
            if (options.sourcePorts().isPresent()) {
                socket.bind(new InetSocketAddress(anyLocal(peer), options.sourcePorts().get().port(i)));
            }
            // The socket adaptor gives connect and read a timeout; the channel stays a plain blocking socket
            socket.socket().connect(options.server(), timeoutMillis);
            socket.socket().setSoTimeout(timeoutMillis);
            byte[] line = options.line();
            OutputStream out = socket.socket().getOutputStream();
            out.write(line);
            InputStream in = socket.socket().getInputStream();
            int received = 0;
            byte[] echo = new byte[line.length];
            while (received < line.length) {
                int n = in.read(echo, received, line.length - received);
                if (n < 0) {
                    throw new IOException("server closed");
                }
                received += n;
            }
        }
    }

    private static InetAddress anyLocal(InetAddress peer) throws IOException {
        return InetAddress.getByName(peer instanceof Inet4Address ? "0.0.0.0" : "::");
    }
}
