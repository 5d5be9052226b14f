package io.echolab.common;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.Optional;
import java.util.OptionalInt;

import jdk.net.ExtendedSocketOptions;

/**
 * The socket options that change how a connection closes or notices a dead peer, applied to each
 * connected socket: SO_LINGER (0 makes close() send RST and skip TIME_WAIT) and TCP keepalive.
 */
public record SocketTuning(OptionalInt lingerSeconds, Optional<Keepalive> keepalive) {

    /** No options: the kernel's defaults, as the C programs have them. */
    public static final SocketTuning DEFAULTS = new SocketTuning(OptionalInt.empty(), Optional.empty());

    public SocketTuning {
        if (lingerSeconds.isPresent() && (lingerSeconds.getAsInt() < 0 || lingerSeconds.getAsInt() > 65_535)) {
            throw new IllegalArgumentException("linger must be from 0 to 65535 seconds, not " + lingerSeconds.getAsInt());
        }
    }

    /** Sets the options on a connected or connecting socket. */
    public void applyTo(NetworkChannel channel) throws IOException {
        if (lingerSeconds.isPresent()) {
            channel.setOption(StandardSocketOptions.SO_LINGER, lingerSeconds.getAsInt());
        }
        if (keepalive.isPresent()) {
            Keepalive k = keepalive.get();
            // SO_KEEPALIVE last: turning it on arms the timer with the idle time the socket has then, and
            // before TCP_KEEPIDLE that is tcp_keepalive_time's (2 hours), which a watcher would show
            channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, k.idleSeconds());
            channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, k.intervalSeconds());
            channel.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, k.count());
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        }
    }
}
