package io.echolab.watcher.capture;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import io.echolab.watcher.model.TcpPacket;
import io.echolab.watcher.netlink.NetworkNamespace;

/**
 * The TCP segments of the watched ports, as they cross the network namespace's interfaces: an AF_PACKET socket
 * (packet(7)), SOCK_DGRAM for every protocol on every interface, with {@link PacketFilter}'s program attached
 * in the kernel so that only the watched ports' headers are copied to us. Root only (CAP_NET_RAW). A thread of
 * its own reads the packets into memory until {@link #close}, which every exit path calls.
 *
 * <p><b>Each packet once.</b> A packet sent over loopback passes the packet taps twice: leaving, in
 * dev_queue_xmit_nit(), as a clone marked {@code PACKET_OUTGOING}; and arriving, after loopback_xmit() hands it
 * to netif_rx(), in __netif_receive_skb_core(), as {@code PACKET_HOST}. packet_rcv() drops neither (only
 * {@code PACKET_LOOPBACK}, multicast looped back, is dropped). So on a loopback device ({@code sll_hatype
 * ARPHRD_LOOPBACK}) the outgoing copy is skipped and the arriving one kept; on other interfaces each packet
 * passes once, leaving or arriving.
 *
 * <p><b>One clock.</b> Each packet carries the kernel's receive timestamp (SO_TIMESTAMPNS), taken on
 * CLOCK_REALTIME when the packet entered the tap (net_timestamp_set() for the outgoing clone, netif_rx() for
 * the arriving one): wall-clock time, as the polled backends stamp their polls. The tracepoint's times are
 * CLOCK_MONOTONIC, turned into wall-clock time by adding the offset between the two clocks read once when the
 * trace backend started (TraceBackend). That offset changes only when the wall clock is stepped: NTP slews
 * CLOCK_REALTIME and CLOCK_MONOTONIC alike, and a slew is what it does unless told to step. So packet and state
 * times stand on one clock, to within the microsecond or so between the two clock reads at start (the
 * tracepoint's text format itself gives microseconds), for as long as nobody steps the clock while watching.
 */
public final class PacketCapture implements AutoCloseable {

    /** At most this many packets are kept (about 20 MB); later ones are counted, not kept. */
    public static final int MAX_PACKETS = 100_000;
    /** How long a read waits before it looks whether the capture was closed. */
    static final Duration RECEIVE_TIMEOUT = Duration.ofMillis(100);
    /** Room for bursts the reading thread has not caught up with (a load run's thousands of segments). */
    private static final int RECEIVE_BUFFER = 4 * 1024 * 1024;
    private static final int CONTROL_BUFFER = 128;

    private final int fd;
    private final Map<Integer, String> interfaces;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread reader;
    private final List<TcpPacket> packets = new ArrayList<>();
    private long notKept;
    private long malformed;
    private long kernelDrops;
    private volatile IOException failure;

    private PacketCapture(int fd, Map<Integer, String> interfaces) {
        this.fd = fd;
        this.interfaces = Map.copyOf(interfaces);
        this.reader = new Thread(this::read, "packet-capture");
        this.reader.setDaemon(true);
    }

    /**
     * Starts capturing in this process's network namespace.
     *
     * @param ports segments with one of these ports at either end; every TCP segment when empty
     * @throws CaptureException naming the call that failed (EPERM without root)
     * @throws IllegalArgumentException for more ports than one filter takes ({@link PacketFilter#MAX_PORTS})
     */
    public static PacketCapture open(Set<Integer> ports) throws IOException {
        PacketCapture capture = openSocket(ports);
        capture.reader.start();
        return capture;
    }

    /**
     * Starts capturing in the network namespace of process {@code pid} (a container's): the socket is made by a
     * thread that entered the namespace (setns), and stays there.
     */
    public static PacketCapture openInNamespaceOf(long pid, Set<Integer> ports) throws IOException {
        PacketCapture capture = NetworkNamespace.openIn(pid, () -> openSocket(ports));
        capture.reader.start();
        return capture;
    }

    private static PacketCapture openSocket(Set<Integer> ports) throws IOException {
        List<PacketFilter.Instruction> program = PacketFilter.compile(ports);
        int fd;
        try {
            // Protocol 0: the socket hears nothing until bind() names one, so no packet slips in before the filter
            fd = LibC.INSTANCE.socket(LibC.AF_PACKET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new CaptureException("socket(AF_PACKET, SOCK_DGRAM)", e.getErrorCode());
        } catch (LinkageError e) {
            throw new IOException("cannot call the C library through JNA: " + e.getMessage(), e);
        }
        String call = "setsockopt(SO_ATTACH_FILTER)";
        try {
            attach(fd, program);
            call = "setsockopt(SO_TIMESTAMPNS)";
            LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_TIMESTAMPNS, new IntByReference(1), 4);
            call = "setsockopt(SO_RCVTIMEO)";
            LibC.Timeval timeout = new LibC.Timeval(RECEIVE_TIMEOUT.toNanos() / 1000);
            LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeout, timeout.size());
            call = "setsockopt(SO_RCVBUF)";
            receiveBuffer(fd);
            call = "bind(AF_PACKET, ETH_P_ALL)";
            LibC.SockaddrLl any = new LibC.SockaddrLl();
            any.sll_protocol = htons(LibC.ETH_P_ALL);
            any.sll_ifindex = 0; // every interface of the namespace
            LibC.INSTANCE.bind(fd, any, any.size());
        } catch (LastErrorException e) {
            closeQuietly(fd);
            throw new CaptureException(call, e.getErrorCode());
        }
        return new PacketCapture(fd, interfaceNames());
    }

    private static void attach(int fd, List<PacketFilter.Instruction> program) {
        LibC.SockFilter[] filters = (LibC.SockFilter[]) new LibC.SockFilter().toArray(program.size());
        for (int i = 0; i < program.size(); i++) {
            PacketFilter.Instruction instruction = program.get(i);
            filters[i].code = (short) instruction.code();
            filters[i].jt = (byte) instruction.jt();
            filters[i].jf = (byte) instruction.jf();
            filters[i].k = instruction.k();
            filters[i].write();
        }
        LibC.SockFprog prog = new LibC.SockFprog();
        prog.len = (short) program.size();
        prog.filter = filters[0].getPointer();
        LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_ATTACH_FILTER, prog, prog.size());
    }

    /** As large as root may make it; else as large as net.core.rmem_max allows. */
    private static void receiveBuffer(int fd) {
        IntByReference size = new IntByReference(RECEIVE_BUFFER);
        try {
            LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, size, 4);
        } catch (LastErrorException e) {
            LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, size, 4);
        }
    }

    /** The names of the calling thread's namespace's interfaces, by index. */
    private static Map<Integer, String> interfaceNames() {
        Map<Integer, String> names = new HashMap<>();
        Pointer list = LibC.INSTANCE.if_nameindex();
        if (list == null) {
            return names;
        }
        try {
            int size = new LibC.IfNameindex(list).size();
            for (long at = 0; ; at += size) {
                LibC.IfNameindex entry = new LibC.IfNameindex(list.share(at));
                if (entry.if_index == 0) {
                    break;
                }
                names.put(entry.if_index, entry.if_name);
            }
        } finally {
            LibC.INSTANCE.if_freenameindex(list);
        }
        return names;
    }

    private static short htons(int value) {
        return (short) (((value & 0xff) << 8) | ((value >>> 8) & 0xff));
    }

    /** The packets captured so far, in the order the kernel delivered them. */
    public synchronized List<TcpPacket> packets() {
        return List.copyOf(packets);
    }

    /** Packets past {@link #MAX_PACKETS}, and ones the kernel dropped for want of room (known after close). */
    public synchronized long lost() {
        return notKept + kernelDrops;
    }

    /** Captured packets whose headers did not parse (none expected: the filter passes only TCP). */
    public synchronized long malformed() {
        return malformed;
    }

    /** Why reading stopped early, if it did. */
    public Optional<IOException> failure() {
        return Optional.ofNullable(failure);
    }

    private void read() {
        Memory buffer = new Memory(2L * PacketFilter.SNAP_LENGTH);
        Memory control = new Memory(CONTROL_BUFFER);
        LibC.SockaddrLl from = new LibC.SockaddrLl();
        LibC.Iovec iov = new LibC.Iovec();
        iov.iov_base = buffer;
        iov.iov_len = new NativeLong(buffer.size());
        iov.write();
        LibC.Msghdr msg = new LibC.Msghdr();
        byte[] bytes = new byte[(int) buffer.size()];
        while (!closed.get()) {
            msg.msg_name = from.getPointer();
            msg.msg_namelen = from.size();
            msg.msg_iov = iov.getPointer();
            msg.msg_iovlen = new NativeLong(1);
            msg.msg_control = control;
            msg.msg_controllen = new NativeLong(CONTROL_BUFFER);
            msg.msg_flags = 0;
            int length;
            try {
                length = LibC.INSTANCE.recvmsg(fd, msg, LibC.MSG_TRUNC).intValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() == LibC.EAGAIN || e.getErrorCode() == LibC.EINTR) {
                    continue; // the read timed out: look whether we are closed
                }
                failure = new CaptureException("recvmsg(AF_PACKET)", e.getErrorCode());
                return;
            }
            from.read();
            if (from.sll_hatype == LibC.ARPHRD_LOOPBACK && from.sll_pkttype == LibC.PACKET_OUTGOING) {
                continue; // loopback: the same packet comes again, arriving; count it then
            }
            Instant time = timestamp(control, msg.msg_controllen.longValue());
            int captured = Math.min(length, bytes.length);
            buffer.read(0, bytes, 0, captured);
            String name = interfaces.getOrDefault(from.sll_ifindex, "if" + from.sll_ifindex);
            keep(time, bytes, captured, length, name);
        }
    }

    private synchronized void keep(Instant time, byte[] bytes, int captured, int length, String interfaceName) {
        if (packets.size() >= MAX_PACKETS) {
            notKept++;
            return;
        }
        try {
            packets.add(TcpHeaders.parse(time, bytes, captured, length, interfaceName));
        } catch (IllegalArgumentException e) {
            malformed++;
        }
    }

    /** SCM_TIMESTAMPNS from the control messages; the time now if the kernel sent none (it always does). */
    private static Instant timestamp(Memory control, long length) {
        int align = NativeLong.SIZE;
        long at = 0;
        while (at + align * 2L <= length) {
            LibC.Cmsghdr header = new LibC.Cmsghdr(control.share(at));
            long cmsgLength = header.cmsg_len.longValue();
            if (cmsgLength < header.size()) {
                break;
            }
            if (header.cmsg_level == LibC.SOL_SOCKET && header.cmsg_type == LibC.SO_TIMESTAMPNS) {
                LibC.Timespec ts = new LibC.Timespec(control.share(at + align(header.size(), align)));
                return Instant.ofEpochSecond(ts.tv_sec.longValue(), ts.tv_nsec.longValue());
            }
            at += align(cmsgLength, align);
        }
        return Instant.now();
    }

    private static long align(long length, int to) {
        return (length + to - 1) & -to;
    }

    /** Stops reading and closes the socket. Safe from any thread (the second Ctrl-C's), more than once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            reader.join(RECEIVE_TIMEOUT.toMillis() * 20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LibC.TpacketStats stats = new LibC.TpacketStats();
        try {
            LibC.INSTANCE.getsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_STATISTICS, stats, new IntByReference(stats.size()));
            synchronized (this) {
                kernelDrops += Integer.toUnsignedLong(stats.tp_drops);
            }
        } catch (LastErrorException e) {
            // the drops stay unknown; the socket goes anyway
        }
        closeQuietly(fd);
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            // nothing to do: the descriptor is gone either way
        }
    }
}
