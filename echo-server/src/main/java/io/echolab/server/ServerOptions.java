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
 * @param backlog     listen(2)'s backlog (the C program passes CONNECTION_SIZE, 5)
 * @param clients     how many clients to serve before exiting; 0 serves forever
 * @param closeDelay  how long to sleep after the client's EOF before close(): the CLOSE_WAIT/FIN_WAIT2 window
 * @param closeAfter  close first after echoing this many messages (TIME_WAIT moves to the server side)
 * @param noClose     never close accepted sockets: a CLOSE_WAIT leak
 * @param farewell    a line to write after the client's EOF, before closing (the half-close demo)
 * @param concurrent  serve each client on its own thread instead of one after another
 * @param tuning      SO_LINGER and keepalive for accepted sockets
 */
public record ServerOptions(InetAddress bind, int port, int backlog, int clients, Duration closeDelay,
                            OptionalInt closeAfter, boolean noClose, Optional<String> farewell, boolean concurrent,
                            SocketTuning tuning) {

    /** echo_server2.c's CONNECTION_SIZE: the listen backlog and the number of clients. */
    public static final int CONNECTION_SIZE = 5;

    public ServerOptions {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(closeDelay, "closeDelay");
        Objects.requireNonNull(closeAfter, "closeAfter");
        Objects.requireNonNull(farewell, "farewell");
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
    }

    /** Serves forever rather than a fixed number of clients. */
    public boolean forever() {
        return clients == 0;
    }
}
