package io.echolab.watcher;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Sockets for the tests that watch a port and count what is on it. */
final class Loopback {

    private Loopback() {
    }

    /**
     * An AF_INET listener on 127.0.0.1 on a port no other socket has at either end, as {@code ss} shows: the
     * kernel may hand out a port that an earlier test's connection still holds in TIME_WAIT, which the watcher
     * would rightly count.
     */
    static ServerSocketChannel listenerAlone() throws IOException, InterruptedException {
        Path ss = Tools.require("ss", "iproute2");
        for (int attempt = 0; attempt < 20; attempt++) {
            ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            Tools.Result rows = Tools.run(ss, "", "-tanH", "( sport = :" + port + " or dport = :" + port + " )");
            if (rows.exitCode() == 0 && rows.output().lines().count() == 1) {
                return listener;
            }
            listener.close();
        }
        return fail("no port of 20 the kernel gave was free of other sockets");
    }

    /** An AF_INET listener on 127.0.0.1, on a port the kernel chooses. */
    static ServerSocketChannel listener() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        return listener;
    }

    /** An AF_INET client connected to {@code listener}: a tcp row, as the C client's (the JVM's default is tcp6). */
    static SocketChannel connect(ServerSocketChannel listener) throws IOException {
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
        client.connect(listener.getLocalAddress());
        return client;
    }

    /** The channel's local port, as an option's value. */
    static String port(NetworkChannel channel) throws IOException {
        return Integer.toString(((InetSocketAddress) channel.getLocalAddress()).getPort());
    }
}
