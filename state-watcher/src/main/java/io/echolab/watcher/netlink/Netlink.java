package io.echolab.watcher.netlink;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** Constants and structures of linux/netlink.h and linux/sock_diag.h. */
final class Netlink {

    static final int NETLINK_SOCK_DIAG = 4;

    static final short NLM_F_REQUEST = 0x01;
    static final short NLM_F_MULTI = 0x02;
    static final short NLM_F_DUMP = 0x100 | 0x200;   // NLM_F_ROOT | NLM_F_MATCH

    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;

    /** Messages and attributes start on 4-byte boundaries. */
    static final int NLMSG_ALIGNTO = 4;

    /** sock_diag.h: one request per address family. */
    static final short SOCK_DIAG_BY_FAMILY = 20;

    private Netlink() {
    }

    static int align(int length) {
        return (length + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
    }

    /** {@code struct sockaddr_nl}: a netlink address; pid 0 lets the kernel assign ours, 0 is the kernel's. */
    @FieldOrder({"nl_family", "nl_pad", "nl_pid", "nl_groups"})
    public static final class SockaddrNl extends Structure {
        public short nl_family = LibC.AF_NETLINK;  // AF_NETLINK
        public short nl_pad;                       // zero
        public int nl_pid;                         // port id
        public int nl_groups;                      // multicast groups mask
    }

    /** {@code struct nlmsghdr}: every netlink message starts with one. */
    @FieldOrder({"nlmsg_len", "nlmsg_type", "nlmsg_flags", "nlmsg_seq", "nlmsg_pid"})
    public static final class Nlmsghdr extends Structure {
        static final int SIZE = 16;

        public int nlmsg_len;     // length of message including header
        public short nlmsg_type;  // message content
        public short nlmsg_flags; // additional flags
        public int nlmsg_seq;     // sequence number
        public int nlmsg_pid;     // sending process port id

        public Nlmsghdr(Pointer memory) {
            super(memory);
        }
    }

    /** {@code struct nlattr}: an attribute's header, followed by its payload. */
    @FieldOrder({"nla_len", "nla_type"})
    public static final class Nlattr extends Structure {
        static final int SIZE = 4;

        public short nla_len;   // length of header and payload
        public short nla_type;  // attribute type

        public Nlattr(Pointer memory) {
            super(memory);
        }
    }
}
