package io.echolab.watcher.netlink;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import io.echolab.watcher.netlink.InetDiag.InetDiagMsg.MsgLayout;
import io.echolab.watcher.netlink.InetDiag.InetDiagReq;
import io.echolab.watcher.netlink.InetDiag.InetDiagReqV2;
import io.echolab.watcher.netlink.InetDiag.InetDiagReqV2.ReqLayout;
import io.echolab.watcher.netlink.InetDiag.InetDiagSockid;
import io.echolab.watcher.netlink.Netlink.Nlattr;
import io.echolab.watcher.netlink.Netlink.Nlmsghdr;
import io.echolab.watcher.netlink.Netlink.SockaddrNl;

/**
 * A NETLINK_SOCK_DIAG socket: what {@code ss} asks the kernel for its TCP sockets. A dump lists one network
 * namespace's sockets (the kernel applies the port filter); a lookup finds one socket by its addresses and
 * ports, and its cookie when known. No privilege is needed in one's own network namespace. One socket serves
 * every request; not thread-safe.
 */
public final class SockDiag implements AutoCloseable {

    // struct nlmsghdr's fields, read and written in place
    private static final int NLMSG_LEN = 0;
    private static final int NLMSG_TYPE = 4;
    private static final int NLMSG_SEQ = 8;

    /** Every TCP state but TCP_BOUND_INACTIVE (bit 13), which would make the kernel walk the bind hash too. */
    static final int ALL_STATES = 0x1FFE;
    /** The kernel sizes dump messages to the largest receive it has seen; 64 KiB holds about 900 sockets. */
    static final int RECEIVE_BUFFER = 64 * 1024;
    /** A dump or lookup is answered at once; this bounds a recv() that would otherwise never return. */
    static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(5);

    private final int fd;
    private final Memory reply = new Memory(RECEIVE_BUFFER);
    /** The last dump request, built once for its ports: a poll sends it again with a new sequence number. */
    private Memory dumpRequest;
    /** The lookup request, rewritten in place for each socket looked up. */
    private Memory lookupRequest;
    private Set<Integer> dumpPorts;
    private short dumpType;
    private int sequence;
    private boolean legacyDump = true;
    private boolean closed;

    private SockDiag(int fd) {
        this.fd = fd;
    }

    /**
     * Opens a socket in this process's network namespace.
     *
     * @throws IOException naming the call that failed, e.g. when the kernel has no NETLINK_SOCK_DIAG
     */
    public static SockDiag open() throws IOException {
        int fd;
        try {
            fd = LibC.INSTANCE.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, Netlink.NETLINK_SOCK_DIAG);
        } catch (LastErrorException e) {
            throw Errno.failure("socket(AF_NETLINK, NETLINK_SOCK_DIAG)", e);
        } catch (LinkageError e) {
            throw new IOException("cannot call the C library through JNA: " + e.getMessage(), e);
        }
        try {
            LibC.INSTANCE.bind(fd, new SockaddrNl(), new SockaddrNl().size());
            LibC.Timeval timeout = new LibC.Timeval(RECEIVE_TIMEOUT.toSeconds());
            LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeout, timeout.size());
        } catch (LastErrorException e) {
            closeQuietly(fd);
            throw Errno.failure("bind(NETLINK_SOCK_DIAG)", e);
        }
        return new SockDiag(fd);
    }

    /**
     * Opens a socket in the network namespace of process {@code pid} (a container's, say): a thread of its own
     * enters the namespace with setns(2), opens the socket there and ends; the socket stays in that namespace.
     * Needs CAP_SYS_ADMIN (root).
     *
     * @throws NativeCallException naming the call that failed: open (no such process) or setns (not root)
     */
    public static SockDiag openInNamespaceOf(long pid) throws IOException {
        return NetworkNamespace.openIn(pid, SockDiag::open);
    }

    /**
     * Every TCP socket of the namespace (listeners, connections, time-wait and request sockets) with one of
     * {@code ports} at either end, or every one when it is empty. IPv4 and IPv6 come from one walk of the hash
     * (TCPDIAG_GETSOCK), or two dumps on a kernel without it.
     */
    public List<TcpSocket> dump(Set<Integer> ports) throws IOException {
        if (legacyDump) {
            try {
                return receive(send(dumpRequest(InetDiag.TCPDIAG_GETSOCK, InetDiag.AF_INET, ports)),
                        "TCPDIAG_GETSOCK dump", true);
            } catch (NativeCallException e) {
                if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT && e.errno() != Errno.EOPNOTSUPP) {
                    throw e;
                }
                legacyDump = false;
            }
        }
        List<TcpSocket> rows = new ArrayList<>();
        for (byte family : new byte[] {InetDiag.AF_INET, InetDiag.AF_INET6}) {
            rows.addAll(receive(send(dumpRequest(Netlink.SOCK_DIAG_BY_FAMILY, family, ports)),
                    "SOCK_DIAG_BY_FAMILY dump", true));
        }
        return rows;
    }

    /** The dump request for these ports, built once and kept (the family of a per-family dump aside). */
    private Memory dumpRequest(short type, byte family, Set<Integer> ports) {
        if (dumpRequest == null || dumpType != type || !ports.equals(dumpPorts)) {
            dumpRequest = message(type, (short) (Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP), family, null,
                    PortFilter.compile(ports));
            dumpType = type;
            dumpPorts = Set.copyOf(ports);
        } else if (type == Netlink.SOCK_DIAG_BY_FAMILY) {
            InetDiagReqV2 req = new InetDiagReqV2(dumpRequest.share(Nlmsghdr.SIZE));
            req.sdiag_family = family;
            req.writeField("sdiag_family");
        }
        return dumpRequest;
    }

    /** From now on, dump each family on its own, as on a kernel without TCPDIAG_GETSOCK: for tests. */
    public void perFamilyDumps() {
        legacyDump = false;
    }

    /**
     * The socket with this key, if the namespace has it: a full socket, a time-wait socket or a request socket.
     * With a cookie (not 0), only the socket of that cookie: a new connection on the same addresses and ports
     * is not it. A lookup that finds another socket (the kernel answers a vanished connection with its
     * listener) is no answer.
     */
    public Optional<TcpSocket> lookup(ConnectionKey key, long cookie) throws IOException {
        byte family = key.proto().equals("tcp") ? InetDiag.AF_INET : InetDiag.AF_INET6;
        if (lookupRequest == null) {
            lookupRequest = message(Netlink.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_REQUEST, family, null, null);
        }
        long at = Nlmsghdr.SIZE;
        lookupRequest.setByte(at + ReqLayout.FAMILY, family);
        lookupRequest.write(at + ReqLayout.SPORT, portBytes(key.local().getPort()), 0, 2);
        lookupRequest.write(at + ReqLayout.DPORT, portBytes(key.remote().getPort()), 0, 2);
        lookupRequest.write(at + ReqLayout.SRC, addressBytes(key.local().getAddress(), family), 0, 16);
        lookupRequest.write(at + ReqLayout.DST, addressBytes(key.remote().getAddress(), family), 0, 16);
        lookupRequest.setInt(at + ReqLayout.COOKIE, cookie == 0 ? InetDiag.INET_DIAG_NOCOOKIE : (int) cookie);
        lookupRequest.setInt(at + ReqLayout.COOKIE + 4, cookie == 0 ? InetDiag.INET_DIAG_NOCOOKIE : (int) (cookie >>> 32));
        List<TcpSocket> found;
        try {
            found = receive(send(lookupRequest), "SOCK_DIAG_BY_FAMILY lookup", false);
        } catch (NativeCallException e) {
            if (e.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
        return found.stream().filter(row -> ConnectionKey.of(row).equals(key)).findFirst();
    }

    /** A request: the netlink header, the request of its type, and the port filter as an attribute. */
    private static Memory message(short type, short flags, byte family, InetDiagSockid id, Memory filter) {
        boolean legacy = type == InetDiag.TCPDIAG_GETSOCK;
        int body = legacy ? InetDiagReq.SIZE : InetDiagReqV2.SIZE;
        int filterSize = filter == null ? 0 : (int) filter.size();
        int length = Nlmsghdr.SIZE + body + (filter == null ? 0 : Nlattr.SIZE + filterSize);
        Memory message = new Memory(length);
        message.clear();

        Nlmsghdr header = new Nlmsghdr(message);
        header.nlmsg_len = length;
        header.nlmsg_type = type;
        header.nlmsg_flags = flags;
        header.write();
        if (legacy) {
            InetDiagReq req = new InetDiagReq(message.share(Nlmsghdr.SIZE));
            req.idiag_family = family;
            req.idiag_states = ALL_STATES;
            req.id = id == null ? noCookie() : id;
            req.write();
        } else {
            InetDiagReqV2 req = new InetDiagReqV2(message.share(Nlmsghdr.SIZE));
            req.sdiag_family = family;
            req.sdiag_protocol = InetDiag.IPPROTO_TCP;
            req.idiag_states = ALL_STATES;
            req.id = id == null ? noCookie() : id;
            req.write();
        }
        if (filter != null) {
            Nlattr attribute = new Nlattr(message.share(Nlmsghdr.SIZE + body));
            attribute.nla_len = (short) (Nlattr.SIZE + filterSize);
            attribute.nla_type = InetDiag.INET_DIAG_REQ_BYTECODE;
            attribute.write();
            message.write(Nlmsghdr.SIZE + body + Nlattr.SIZE, filter.getByteArray(0, filterSize), 0, filterSize);
        }
        return message;
    }

    /** Sends a request with the next sequence number, and returns that number. */
    private int send(Memory message) throws IOException {
        int seq = ++sequence;
        message.setInt(NLMSG_SEQ, seq);
        while (true) {
            try {
                LibC.INSTANCE.send(fd, message, new NativeLong(message.size()), 0);
                return seq;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw Errno.failure("send(NETLINK_SOCK_DIAG)", e);
                }
            }
        }
    }

    /**
     * Reads the answer to request {@code seq}: a dump's messages up to NLMSG_DONE, or a lookup's one message.
     *
     * @throws NativeCallException with the kernel's errno when it answers with an error
     */
    private List<TcpSocket> receive(int seq, String what, boolean dump) throws IOException {
        List<TcpSocket> rows = new ArrayList<>();
        while (true) {
            long received = recv();
            int offset = 0;
            while (offset + Nlmsghdr.SIZE <= received) {
                int length = reply.getInt(offset + NLMSG_LEN);
                if (length < Nlmsghdr.SIZE || offset + length > received) {
                    throw new IOException(what + ": a truncated netlink message (" + length + " bytes at " + offset + ")");
                }
                if (reply.getInt(offset + NLMSG_SEQ) == seq) {
                    switch (reply.getShort(offset + NLMSG_TYPE)) {
                        case Netlink.NLMSG_DONE -> {
                            int error = length >= Nlmsghdr.SIZE + 4 ? reply.getInt(offset + Nlmsghdr.SIZE) : 0;
                            if (error < 0) {
                                throw Errno.failure(what, -error);
                            }
                            return rows;
                        }
                        case Netlink.NLMSG_ERROR -> {
                            int error = reply.getInt(offset + Nlmsghdr.SIZE);
                            if (error < 0) {
                                throw Errno.failure(what, -error);
                            }
                        }
                        case Netlink.NLMSG_NOOP, Netlink.NLMSG_OVERRUN -> {
                            // nothing to read
                        }
                        default -> {
                            rows.add(toSocket(reply, offset + Nlmsghdr.SIZE));
                            if (!dump) {
                                return rows;
                            }
                        }
                    }
                }
                // Otherwise an answer to an earlier request that timed out: not ours any more.
                offset += Netlink.align(length);
            }
        }
    }

    private long recv() throws IOException {
        while (true) {
            try {
                long n = LibC.INSTANCE.recv(fd, reply, new NativeLong(RECEIVE_BUFFER), 0).longValue();
                if (n == 0) {
                    throw new IOException("recv(NETLINK_SOCK_DIAG): the kernel closed the socket");
                }
                return n;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EAGAIN) {
                    throw new IOException("recv(NETLINK_SOCK_DIAG): no answer from the kernel in "
                            + RECEIVE_TIMEOUT.toSeconds() + " s");
                }
                if (e.getErrorCode() != Errno.EINTR) {
                    throw Errno.failure("recv(NETLINK_SOCK_DIAG)", e);
                }
            }
        }
    }

    /** The struct inet_diag_msg at {@code at} as a row, in the same terms as /proc/net/tcp's. */
    static TcpSocket toSocket(Memory memory, long at) {
        int family = memory.getByte(at + MsgLayout.FAMILY);
        String proto = family == InetDiag.AF_INET ? "tcp" : "tcp6";
        TcpState state = TcpState.fromProcCode(memory.getByte(at + MsgLayout.STATE) & 0xFF);
        TimerKind timer = TimerKind.fromProcCode(memory.getByte(at + MsgLayout.TIMER) & 0xFF);
        int count = memory.getByte(at + MsgLayout.RETRANS) & 0xFF;
        // idiag_retrans is the retransmit count under the retransmit timer, the unanswered probes otherwise
        boolean probing = timer == TimerKind.KEEPALIVE || timer == TimerKind.ZERO_WINDOW_PROBE;
        long cookie = Integer.toUnsignedLong(memory.getInt(at + MsgLayout.COOKIE))
                | Integer.toUnsignedLong(memory.getInt(at + MsgLayout.COOKIE + 4)) << 32;
        return new TcpSocket(proto,
                new InetSocketAddress(address(memory, at + MsgLayout.SRC, family), port(memory, at + MsgLayout.SPORT)),
                new InetSocketAddress(address(memory, at + MsgLayout.DST, family), port(memory, at + MsgLayout.DPORT)),
                state,
                // A listener's wqueue is its backlog (ss's Send-Q); /proc and netstat say 0
                state == TcpState.LISTEN ? 0 : Integer.toUnsignedLong(memory.getInt(at + MsgLayout.WQUEUE)),
                Integer.toUnsignedLong(memory.getInt(at + MsgLayout.RQUEUE)),
                timer,
                Duration.ofMillis(timer == TimerKind.OFF ? 0 : Integer.toUnsignedLong(memory.getInt(at + MsgLayout.EXPIRES))),
                probing ? 0 : count, probing ? count : 0,
                memory.getInt(at + MsgLayout.UID), Integer.toUnsignedLong(memory.getInt(at + MsgLayout.INODE)), cookie);
    }

    private static InetDiagSockid noCookie() {
        InetDiagSockid id = new InetDiagSockid();
        id.idiag_cookie = new int[] {InetDiag.INET_DIAG_NOCOOKIE, InetDiag.INET_DIAG_NOCOOKIE};
        return id;
    }

    /** A __be16. */
    private static int port(Memory memory, long at) {
        return (memory.getByte(at) & 0xFF) << 8 | memory.getByte(at + 1) & 0xFF;
    }

    private static byte[] portBytes(int port) {
        return new byte[] {(byte) (port >>> 8), (byte) port};
    }

    /** An IPv4 address in the first word, or 16 bytes; InetAddress turns an IPv4-mapped one into IPv4. */
    private static InetAddress address(Memory memory, long at, int family) {
        byte[] bytes = memory.getByteArray(at, family == InetDiag.AF_INET ? 4 : 16);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    /** 16 bytes for idiag_src or idiag_dst: IPv4 in the first word, or IPv6, IPv4 as ::ffff:a.b.c.d there. */
    private static byte[] addressBytes(InetAddress address, byte family) {
        byte[] words = new byte[16];
        byte[] bytes = address.getAddress();
        if (family == InetDiag.AF_INET6 && address instanceof Inet4Address) {
            words[10] = (byte) 0xFF;
            words[11] = (byte) 0xFF;
            System.arraycopy(bytes, 0, words, 12, 4);
        } else {
            System.arraycopy(bytes, 0, words, 0, bytes.length);
        }
        return words;
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            // close(2) of a descriptor we opened: nothing left to do about a failure
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeQuietly(fd);
        }
    }
}
