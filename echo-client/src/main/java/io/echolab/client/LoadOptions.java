package io.echolab.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import io.echolab.common.SocketTuning;

/**
 * A bounded load: {@code connections} short connections one after another, each sending one line,
 * reading its echo and closing first, so the TIME_WAIT sockets pile up on this side.
 *
 * @param connections how many connections to attempt
 * @param sourcePorts bind each connection to the next port of this range instead of an ephemeral one
 * @param maxTime     stop attempting new connections after this long, whatever the count
 * @param timeout     how long one connect, or one echo, may take
 * @param line        the bytes sent on each connection
 */
public record LoadOptions(InetSocketAddress server, int connections, Optional<PortRange> sourcePorts, Duration maxTime,
                          Duration timeout, SocketTuning tuning, byte[] line) {

    public LoadOptions {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(sourcePorts, "sourcePorts");
        Objects.requireNonNull(maxTime, "maxTime");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(tuning, "tuning");
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be at least 1, not " + connections);
        }
        if (maxTime.isZero() || maxTime.isNegative()) {
            throw new IllegalArgumentException("max-time must be positive");
        }
        if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("timeout must be from 1ms to about 24 days");
        }
        if (line.length == 0) {
            throw new IllegalArgumentException("the line sent on each connection must not be empty");
        }
        line = line.clone();
    }

    @Override
    public byte[] line() {
        return line.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoadOptions other && server.equals(other.server) && connections == other.connections
                && sourcePorts.equals(other.sourcePorts) && maxTime.equals(other.maxTime) && timeout.equals(other.timeout)
                && tuning.equals(other.tuning) && Arrays.equals(line, other.line);
    }

    @Override
    public int hashCode() {
        return Objects.hash(server, connections, sourcePorts, maxTime, timeout, tuning, Arrays.hashCode(line));
    }

    @Override
    public String toString() {
        return "LoadOptions[server=" + server + ", connections=" + connections + ", sourcePorts=" + sourcePorts
                + ", maxTime=" + maxTime + ", timeout=" + timeout + ", tuning=" + tuning + ", line=" + line.length + " bytes]";
    }
}
