package io.echolab.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

import io.echolab.common.SocketTuning;

/**
 * How the interactive client runs; the defaults are echo_client2.c's.
 *
 * @param server    the server to connect to; an IPv4 address gets an AF_INET socket, IPv6 AF_INET6
 * @param hold      how long to keep the process alive after close(), so its TIME_WAIT can be watched
 * @param halfClose on quit, shutdown(SHUT_WR) and read until the server closes, instead of close()
 * @param tuning    SO_LINGER and keepalive for the connection
 */
public record ClientOptions(InetSocketAddress server, Duration hold, boolean halfClose, SocketTuning tuning) {

    public ClientOptions {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(hold, "hold");
        Objects.requireNonNull(tuning, "tuning");
        if (hold.isNegative()) {
            throw new IllegalArgumentException("hold must not be negative");
        }
    }
}
