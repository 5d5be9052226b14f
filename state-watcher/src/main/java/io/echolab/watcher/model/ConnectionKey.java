package io.echolab.watcher.model;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A connection's identity from one poll to the next: its table and its two ends. Not the inode, which
 * turns to 0 when the socket becomes a time-wait socket (and is 0 until a connection is accepted).
 */
public record ConnectionKey(String proto, InetSocketAddress local, InetSocketAddress remote) {

    public ConnectionKey {
        Objects.requireNonNull(proto, "proto");
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
    }

    /** The key of a row. */
    public static ConnectionKey of(TcpSocket socket) {
        return new ConnectionKey(socket.proto(), socket.local(), socket.remote());
    }

    /** True if either end has this port: a listener, its accepted sockets, and the clients connected to it. */
    public boolean hasPort(int port) {
        return local.getPort() == port || remote.getPort() == port;
    }
}
