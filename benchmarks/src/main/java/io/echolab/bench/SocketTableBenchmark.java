package io.echolab.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.netlink.SockDiag;
import io.echolab.watcher.proc.ProcNetTcpReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One poll of the watched port's sockets, parsed into rows: a NETLINK_SOCK_DIAG dump (the kernel filters by
 * port) against a read of /proc/net/tcp and tcp6 (the reader filters by port). The port has a listener and
 * {@code connections} established connections on loopback, so each poll returns 2N + 1 rows; the rest of the
 * machine's sockets are whatever it has. Both walk the kernel's whole established hash, so the figures are
 * this machine's, and mean most beside each other in one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SocketTableBenchmark {

    @Param({"0", "100", "1000"})
    int connections;

    private final List<AutoCloseable> open = new ArrayList<>();
    private Set<Integer> ports;
    private SockDiag netlink;
    private ProcNetTcpReader procfs;

    @Setup(Level.Trial)
    public void connect() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        open.add(listener);
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), connections + 1);
        InetSocketAddress server = (InetSocketAddress) listener.getLocalAddress();
        for (int i = 0; i < connections; i++) {
            open.add(SocketChannel.open(server));
            open.add(listener.accept());
        }
        ports = Set.of(server.getPort());
        netlink = SockDiag.open();
        procfs = new ProcNetTcpReader(Path.of("/proc"), ports);
        int rows = netlink.dump(ports).size();
        if (rows != 2 * connections + 1 || procfs.read().size() != rows) {
            throw new IllegalStateException("expected " + (2 * connections + 1) + " rows, netlink has " + rows);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        netlink.close();
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    @Benchmark
    public List<TcpSocket> netlinkDump() throws IOException {
        return netlink.dump(ports);
    }

    @Benchmark
    public List<TcpSocket> procfsRead() throws IOException {
        return procfs.read();
    }
}
