package io.echolab.client;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;

/** Opens the socket the C program would: AF_INET for an IPv4 peer, AF_INET6 for an IPv6 one. */
final class Sockets {

    private Sockets() {
    }

    static SocketChannel open(InetAddress peer) throws IOException {
        return SocketChannel.open(peer instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
    }
}
