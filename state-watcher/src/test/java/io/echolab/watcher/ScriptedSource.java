package io.echolab.watcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;

/** Test doubles for the diff: samples played in order (the last one repeats), and a clock moved by hand. */
final class ScriptedSource implements Backend.SocketSource {

    private final Deque<List<TcpSocket>> samples = new ArrayDeque<>();
    private List<TcpSocket> last = List.of();
    private int polls;

    ScriptedSource then(TcpSocket... rows) {
        samples.add(List.of(rows));
        return this;
    }

    @Override
    public synchronized List<TcpSocket> rows() {
        polls++;
        if (!samples.isEmpty()) {
            last = samples.poll();
        }
        return last;
    }

    synchronized int polls() {
        return polls;
    }

    /** A row on 127.0.0.1 from {@code localPort} to {@code remotePort}. */
    static TcpSocket row(int localPort, int remotePort, TcpState state) {
        return row(localPort, remotePort, state, 0);
    }

    static TcpSocket row(int localPort, int remotePort, TcpState state, int retransmits) {
        try {
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            return new TcpSocket("tcp", new InetSocketAddress(loopback, localPort), new InetSocketAddress(loopback, remotePort),
                    state, 0, 0, TimerKind.OFF, Duration.ZERO, retransmits, 0, 1000, 0, 0);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A clock that stands still until moved. */
    static final class ManualClock extends Clock {
        private volatile Instant now;

        ManualClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** A source that fails, as /proc/PID/net/tcp does once the process is gone. */
    static Backend.SocketSource failing() {
        return () -> {
            throw new IOException("gone");
        };
    }
}
