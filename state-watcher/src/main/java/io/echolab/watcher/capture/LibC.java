package io.echolab.watcher.capture;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.ptr.IntByReference;

/**
 * The C library calls and structures of a packet capture (packet(7), socket(7), linux/filter.h). Each call
 * that fails throws {@link LastErrorException} with errno.
 */
interface LibC extends Library {

    LibC INSTANCE = Native.load("c", LibC.class);

    int AF_PACKET = 17;
    int SOCK_DGRAM = 2;             // the link-layer header removed: each packet starts at its IP header
    int SOCK_CLOEXEC = 0x80000;
    int ETH_P_ALL = 0x0003;         // every protocol, outgoing packets included (linux/if_ether.h)
    int SOL_SOCKET = 1;
    int SO_RCVBUF = 8;
    int SO_RCVTIMEO = 20;
    int SO_ATTACH_FILTER = 26;
    int SO_RCVBUFFORCE = 33;        // SO_RCVBUF past net.core.rmem_max: CAP_NET_ADMIN
    int SO_TIMESTAMPNS = 35;        // SO_TIMESTAMPNS_OLD; the control message it adds is SCM_TIMESTAMPNS, the same number
    int SOL_PACKET = 263;
    int PACKET_STATISTICS = 6;
    int MSG_TRUNC = 0x20;           // on a packet socket, recvmsg returns the packet's real length
    int EINTR = 4;
    int EAGAIN = 11;                // SO_RCVTIMEO expired
    int EPERM = 1;
    int EACCES = 13;
    short PACKET_OUTGOING = 4;      // linux/if_packet.h: sll_pkttype of a packet this host sent
    short ARPHRD_LOOPBACK = 772;    // linux/if_arp.h: sll_hatype of the loopback device

    /** socket(2): a new socket's descriptor. */
    int socket(int domain, int type, int protocol) throws LastErrorException;

    /** bind(2): 0. */
    int bind(int sockfd, Structure addr, int addrlen) throws LastErrorException;

    /** setsockopt(2) with a structure: 0. */
    int setsockopt(int sockfd, int level, int optname, Structure optval, int optlen) throws LastErrorException;

    /** setsockopt(2) with an int: 0. */
    int setsockopt(int sockfd, int level, int optname, IntByReference optval, int optlen) throws LastErrorException;

    /** getsockopt(2): 0; {@code optlen} in, the length written out. */
    int getsockopt(int sockfd, int level, int optname, Structure optval, IntByReference optlen) throws LastErrorException;

    /** recvmsg(2): the number of bytes received (with MSG_TRUNC on a packet socket, the packet's real length). */
    NativeLong recvmsg(int sockfd, Msghdr msg, int flags) throws LastErrorException;

    /** if_nameindex(3): an array of the namespace's interfaces ending with a zero entry, or NULL. */
    Pointer if_nameindex();

    /** if_freenameindex(3). */
    void if_freenameindex(Pointer ptr);

    /** close(2): 0. */
    int close(int fd) throws LastErrorException;

    /** strerror(3): the message for an errno, as the C programs print it. */
    String strerror(int errnum);

    /** {@code struct sock_filter}: one classic BPF instruction. */
    @FieldOrder({"code", "jt", "jf", "k"})
    final class SockFilter extends Structure {
        public short code;   // actual filter code
        public byte jt;      // jump true
        public byte jf;      // jump false
        public int k;        // generic multiuse field
    }

    /** {@code struct sock_fprog}: the program SO_ATTACH_FILTER attaches. */
    @FieldOrder({"len", "filter"})
    final class SockFprog extends Structure {
        public short len;        // number of filter blocks
        public Pointer filter;   // struct sock_filter *
    }

    /** {@code struct sockaddr_ll}: a device-independent physical-layer address (packet(7)). */
    @FieldOrder({"sll_family", "sll_protocol", "sll_ifindex", "sll_hatype", "sll_pkttype", "sll_halen", "sll_addr"})
    final class SockaddrLl extends Structure {
        public short sll_family = AF_PACKET;   // always AF_PACKET
        public short sll_protocol;             // physical-layer protocol, network byte order
        public int sll_ifindex;                // interface number; 0 matches any interface
        public short sll_hatype;               // ARP hardware type
        public byte sll_pkttype;               // packet type: PACKET_HOST, PACKET_OUTGOING, ...
        public byte sll_halen;                 // length of address
        public byte[] sll_addr = new byte[8];  // physical-layer address
    }

    /** {@code struct iovec}. */
    @FieldOrder({"iov_base", "iov_len"})
    final class Iovec extends Structure {
        public Pointer iov_base;    // starting address
        public NativeLong iov_len;  // size of the memory pointed to by iov_base
    }

    /** {@code struct msghdr} (recvmsg(2)). */
    @FieldOrder({"msg_name", "msg_namelen", "msg_iov", "msg_iovlen", "msg_control", "msg_controllen", "msg_flags"})
    final class Msghdr extends Structure {
        public Pointer msg_name;           // optional address
        public int msg_namelen;            // size of address
        public Pointer msg_iov;            // scatter/gather array
        public NativeLong msg_iovlen;      // # elements in msg_iov
        public Pointer msg_control;        // ancillary data
        public NativeLong msg_controllen;  // ancillary data buffer len
        public int msg_flags;              // flags on received message
    }

    /** {@code struct cmsghdr}: a control message's header; its data starts at CMSG_ALIGN(sizeof(struct cmsghdr)). */
    @FieldOrder({"cmsg_len", "cmsg_level", "cmsg_type"})
    final class Cmsghdr extends Structure {
        public NativeLong cmsg_len;  // data byte count, including header
        public int cmsg_level;       // originating protocol
        public int cmsg_type;        // protocol-specific type

        Cmsghdr(Pointer memory) {
            super(memory);
            read();
        }
    }

    /** {@code struct timespec}, as SCM_TIMESTAMPNS carries it. */
    @FieldOrder({"tv_sec", "tv_nsec"})
    final class Timespec extends Structure {
        public NativeLong tv_sec;   // seconds
        public NativeLong tv_nsec;  // nanoseconds

        Timespec(Pointer memory) {
            super(memory);
            read();
        }
    }

    /** {@code struct timeval}, for SO_RCVTIMEO. */
    @FieldOrder({"tv_sec", "tv_usec"})
    final class Timeval extends Structure {
        public NativeLong tv_sec;   // seconds
        public NativeLong tv_usec;  // microseconds

        Timeval(long micros) {
            tv_sec = new NativeLong(micros / 1_000_000);
            tv_usec = new NativeLong(micros % 1_000_000);
        }
    }

    /** {@code struct tpacket_stats}: PACKET_STATISTICS, counted since the last read. */
    @FieldOrder({"tp_packets", "tp_drops"})
    final class TpacketStats extends Structure {
        public int tp_packets;  // packets that passed the filter
        public int tp_drops;    // of those, dropped for want of room in the receive buffer
    }

    /** {@code struct if_nameindex}. */
    @FieldOrder({"if_index", "if_name"})
    final class IfNameindex extends Structure {
        public int if_index;    // 1, 2, ...
        public String if_name;  // null-terminated name: "lo", "eth0", ...

        IfNameindex(Pointer memory) {
            super(memory);
            read();
        }
    }
}
