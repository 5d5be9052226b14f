package io.echolab.server;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import io.echolab.common.SocketTuning;

/**
 * How the server runs; the defaults are echo_server2.c's.
 *
 * @param bind        the address to listen on (0.0.0.0: INADDR_ANY)
 * @param port        the port to listen on; 0 lets the kernel choose
 * @param reuseAddress SO_REUSEADDR on the listener: bind beside this port's TIME_WAIT sockets. Off, as in
 *                    echo_server2.c (the JDK would turn it on for every server socket on Linux)
 * @param backlog     listen(2)'s backlog (the C program passes CONNECTION_SIZE, 5)
 * @param clients     how many clients to serve before exiting; 0 serves forever
 * @param closeDelay  how long to sleep after the client's EOF before close(): the CLOSE_WAIT/FIN_WAIT2 window
 * @param closeAfter  close first after echoing this many messages (TIME_WAIT moves to the server side)
 * @param noClose     never close accepted sockets: a CLOSE_WAIT leak
 * @param farewell    a line to write after the client's EOF, before closing (the half-close demo)
 * @param concurrent  serve clients at once instead of one after another
 * @param maxClients  with {@code concurrent}, how many at once; a client past it is told so and closed
 * @param maxLine     close a client whose line passes this many bytes without a newline; 0: no limit (the C program's)
 * @param idleTimeout close a client that sends nothing for this long (this side closes first); empty: never
 * @param tuning      SO_LINGER and keepalive for accepted sockets
 */
public record ServerOptions(InetAddress bind, int port, boolean reuseAddress, int backlog, int clients, Duration closeDelay,
                            OptionalInt closeAfter, boolean noClose, Optional<String> farewell, boolean concurrent,
                            int maxClients, long maxLine, Optional<Duration> idleTimeout, SocketTuning tuning) {

    /** echo_server2.c's CONNECTION_SIZE: the listen backlog and the number of clients. */
    public static final int CONNECTION_SIZE = 5;
    /** How many clients {@code --concurrent} serves at once unless told otherwise. */
    public static final int DEFAULT_MAX_CLIENTS = 1000;

    public ServerOptions {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(closeDelay, "closeDelay");
        Objects.requireNonNull(closeAfter, "closeAfter");
        Objects.requireNonNull(farewell, "farewell");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(tuning, "tuning");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, not " + port);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, not " + backlog);
        }
        if (clients < 0) {
            throw new IllegalArgumentException("clients must be 0 (forever) or more, not " + clients);
        }
        if (closeDelay.isNegative()) {
            throw new IllegalArgumentException("close delay must not be negative");
        }
        if (closeAfter.isPresent() && closeAfter.getAsInt() < 1) {
            throw new IllegalArgumentException("close-after must be at least 1 message, not " + closeAfter.getAsInt());
        }
        if (noClose && (closeAfter.isPresent() || farewell.isPresent())) {
            throw new IllegalArgumentException("--no-close cannot be combined with --close-after or --farewell");
        }
        if (maxClients < 1) {
            throw new IllegalArgumentException("max-clients must be at least 1, not " + maxClients);
        }
        if (maxLine < 0) {
            throw new IllegalArgumentException("max-line must be 0 (no limit) or more bytes, not " + maxLine);
        }
        if (idleTimeout.isPresent() && (idleTimeout.get().isZero() || idleTimeout.get().isNegative())) {
            throw new IllegalArgumentException("idle-timeout must be positive");
        }
    }

    /** echo_server2.c: one client after another, no limits beyond the C program's, the kernel's socket options. */
    public static ServerOptions sequential(InetAddress bind, int port, int clients, Duration closeDelay) {
        return new ServerOptions(bind, port, false, CONNECTION_SIZE, clients, closeDelay, OptionalInt.empty(), false,
                Optional.empty(), false, DEFAULT_MAX_CLIENTS, 0, Optional.empty(), SocketTuning.DEFAULTS);
    }

    /** Serves forever rather than a fixed number of clients. */
    public boolean forever() {
        return clients == 0;
    }
}
