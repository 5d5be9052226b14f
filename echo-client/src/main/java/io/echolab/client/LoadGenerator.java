package io.echolab.client;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import io.echolab.common.DurationConverter;
import io.echolab.common.ExitMapper;
import io.echolab.common.NetworkErrors;
import io.echolab.common.Situation;

/**
 * Opens many short connections one after another, each closed by this side first: the way to pile up
 * TIME_WAIT sockets and run out of ephemeral ports. Bounded by a count and by a time limit, and each
 * connect and each echo by {@code --timeout} and by what is left of {@code --max-time}: a watchdog thread
 * closes the socket of an attempt past its deadline, which ends the blocking call at once. The calls stay
 * plain blocking ones (socket, connect, write, read, close: what a C client makes), so a connection costs
 * what it costs in C plus little. An interrupt (Ctrl-C) ends the run; the result says what was done so far.
 */
public final class LoadGenerator {

    /** Progress callback: (attempted so far, failed so far). */
    @FunctionalInterface
    public interface Progress {
        void update(int attempted, int failed);
    }

    /** Why a run ended before its count. */
    public enum Stop { NONE, MAX_TIME, INTERRUPTED }

    private final LoadOptions options;
    private final Progress progress;

    public LoadGenerator(LoadOptions options, Progress progress) {
        this.options = options;
        this.progress = progress;
    }

    /** Runs the connections and counts what happened; failures are results here, not exceptions. */
    public LoadResult run() {
        Map<String, Integer> failures = new LinkedHashMap<>();
        Map<Situation, Integer> situations = new EnumMap<>(Situation.class);
        int echoTimeouts = 0;
        long start = System.nanoTime();
        long runDeadline = start + Math.min(options.maxTime().toNanos(), Long.MAX_VALUE / 4);
        long timeout = options.timeout().toNanos();
        InetSocketAddress server = options.server();
        InetAddress anyLocal = anyLocal(server.getAddress());
        byte[] line = options.line();
        ByteBuffer send = ByteBuffer.allocateDirect(line.length).put(line);
        ByteBuffer echo = ByteBuffer.allocateDirect(line.length);
        int attempted = 0;
        int made = 0;
        Stop stop = Stop.NONE;
        try (Watchdog watchdog = new Watchdog()) {
            for (int i = 0; i < options.connections(); i++) {
                if (Thread.currentThread().isInterrupted()) {
                    stop = Stop.INTERRUPTED;
                    break;
                }
                if (System.nanoTime() - runDeadline >= 0) {
                    stop = Stop.MAX_TIME;
                    break;
                }
                Attempt attempt = null;
                try (SocketChannel socket = Sockets.open(server.getAddress())) {
                    options.tuning().applyTo(socket);
                    if (options.sourcePorts().isPresent()) {
                        socket.bind(new InetSocketAddress(anyLocal, options.sourcePorts().get().port(i)));
                    }
                    // Connect
                    attempt = watchdog.watch(socket, deadline(timeout, runDeadline), Phase.CONNECT);
                    socket.connect(server);
                    // Echo: send the line, read it back whole, check every byte
                    attempt = watchdog.watch(socket, deadline(timeout, runDeadline), Phase.ECHO);
                    socket.write(send.clear());
                    echo.clear();
                    while (echo.hasRemaining()) {
                        if (socket.read(echo) < 0) {
                            throw new EchoFailed("server closed", Situation.CONNECTION_FAILED);
                        }
                    }
                    if (echo.flip().mismatch(send.flip()) >= 0) {
                        throw new EchoFailed(unexpected(socket, echo), Situation.CONNECTION_FAILED);
                    }
                    attempted++;
                    made++;
                } catch (IOException | EchoFailed e) {
                    if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
                        stop = Stop.INTERRUPTED;
                        break;
                    }
                    attempted++;
                    String reason;
                    Situation situation;
                    if (e instanceof EchoFailed failed) {
                        reason = failed.getMessage();
                        situation = failed.situation;
                    } else if (attempt != null && attempt.expired) {
                        // The watchdog closed the socket: whatever the blocked call threw, it ran out of time
                        if (System.nanoTime() - runDeadline >= 0) {
                            reason = "cut short by --max-time";
                            situation = Situation.TIMED_OUT;
                            stop = Stop.MAX_TIME;
                        } else {
                            reason = (attempt.phase == Phase.CONNECT ? "connect" : "echo") + " timed out ("
                                    + DurationConverter.seconds(options.timeout()) + " s)";
                            situation = Situation.TIMED_OUT;
                            if (attempt.phase == Phase.ECHO) {
                                echoTimeouts++;
                            }
                        }
                    } else {
                        reason = NetworkErrors.reason((IOException) e);
                        situation = ExitMapper.situation(e);
                    }
                    failures.merge(reason, 1, Integer::sum);
                    situations.merge(situation, 1, Integer::sum);
                    if (stop == Stop.MAX_TIME) {
                        progress.update(attempted, attempted - made);
                        break;
                    }
                }
                progress.update(attempted, attempted - made);
            }
        }
        return new LoadResult(attempted, made, failures, situations, echoTimeouts,
                Duration.ofNanos(System.nanoTime() - start), stop);
    }

    private static long deadline(long timeout, long runDeadline) {
        long own = System.nanoTime() + timeout;
        return own - runDeadline < 0 ? own : runDeadline;
    }

    /** What came back instead of the echo: the server's own line when it sent one (a busy server's), in words. */
    private static String unexpected(SocketChannel socket, ByteBuffer echo) {
        byte[] got = new byte[echo.remaining()];
        echo.get(got);
        StringBuilder text = new StringBuilder(new String(got, StandardCharsets.UTF_8));
        ByteBuffer more = ByteBuffer.allocate(256);
        try {
            while (text.indexOf("\n") < 0 && text.length() < 200 && socket.read(more.clear()) > 0) {
                text.append(new String(more.array(), 0, more.position(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // What came is enough to say it was not the echo
        }
        int end = text.indexOf("\n");
        String first = (end < 0 ? text : text.substring(0, end)).toString();
        boolean printable = first.chars().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0xfffd);
        return printable && first.startsWith("server ") ? "server said: " + first : "echo differs from what was sent";
    }

    private static InetAddress anyLocal(InetAddress peer) {
        try {
            return InetAddress.getByName(peer instanceof Inet4Address ? "0.0.0.0" : "::");
        } catch (IOException e) {
            throw new IllegalStateException("a literal address always resolves", e);
        }
    }

    private enum Phase { CONNECT, ECHO }

    /** One blocking call's socket and deadline, as the watchdog sees them. */
    private static final class Attempt {
        final SocketChannel socket;
        final long deadline;
        final Phase phase;
        volatile boolean expired;

        Attempt(SocketChannel socket, long deadline, Phase phase) {
            this.socket = socket;
            this.deadline = deadline;
            this.phase = phase;
        }
    }

    /**
     * Closes the socket of an attempt still running at its deadline. Deadlines only grow, so the thread
     * sleeps until the current one and looks again: no wake-up per connection.
     */
    private static final class Watchdog implements AutoCloseable {
        private volatile Attempt current;
        private volatile boolean closed;
        private final Thread thread;

        Watchdog() {
            thread = new Thread(this::loop, "load-deadline");
            thread.setDaemon(true);
            thread.start();
        }

        /** Watches the next blocking call; the attempt before it is over, whatever its deadline. */
        Attempt watch(SocketChannel socket, long deadline, Phase phase) {
            Attempt attempt = new Attempt(socket, deadline, phase);
            boolean first = current == null;
            current = attempt;
            if (first) {
                LockSupport.unpark(thread);
            }
            return attempt;
        }

        private void loop() {
            while (!closed) {
                Attempt attempt = current;
                if (attempt == null) {
                    LockSupport.park(this);
                    continue;
                }
                long wait = attempt.deadline - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                } else if (current == attempt) {
                    attempt.expired = true;
                    try {
                        attempt.socket.close();
                    } catch (IOException e) {
                        // Closing is all it can do; the blocked call ends either way
                    }
                    while (current == attempt && !closed) {
                        LockSupport.parkNanos(this, 1_000_000L);
                    }
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            LockSupport.unpark(thread);
        }
    }

    /** An echo that did not come back as sent. */
    private static final class EchoFailed extends Exception {
        final transient Situation situation;

        EchoFailed(String reason, Situation situation) {
            super(reason, null, false, false);
            this.situation = situation;
        }
    }
}
