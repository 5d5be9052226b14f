package io.echolab.watcher.netlink;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/**
 * Constants and structures of linux/inet_diag.h: asking NETLINK_SOCK_DIAG for TCP sockets. Fields marked
 * {@code __be} are in network byte order and are held as bytes, as they lie in memory.
 */
final class InetDiag {

    /** The legacy request (struct inet_diag_req): dumps IPv4 and IPv6 in one walk of the hash (AF_UNSPEC). */
    static final short TCPDIAG_GETSOCK = 18;

    /** Request attribute: a filter program of {@link InetDiagBcOp}s. */
    static final short INET_DIAG_REQ_BYTECODE = 1;

    /** idiag_cookie's words when the caller does not know the cookie. */
    static final int INET_DIAG_NOCOOKIE = ~0;

    // Filter opcodes (enum in inet_diag.h); ports are compared in host order, the port in the next op's no
    static final byte INET_DIAG_BC_JMP = 1;
    static final byte INET_DIAG_BC_S_GE = 2;
    static final byte INET_DIAG_BC_S_LE = 3;
    static final byte INET_DIAG_BC_D_GE = 4;
    static final byte INET_DIAG_BC_D_LE = 5;

    static final byte IPPROTO_TCP = 6;
    static final byte AF_INET = 2;
    static final byte AF_INET6 = 10;

    private InetDiag() {
    }

    /** {@code struct inet_diag_sockid}: a socket's identity. */
    @FieldOrder({"idiag_sport", "idiag_dport", "idiag_src", "idiag_dst", "idiag_if", "idiag_cookie"})
    public static final class InetDiagSockid extends Structure {
        public byte[] idiag_sport = new byte[2];   // __be16 local port
        public byte[] idiag_dport = new byte[2];   // __be16 remote port
        public byte[] idiag_src = new byte[16];    // __be32[4] local address (IPv4 in the first word)
        public byte[] idiag_dst = new byte[16];    // __be32[4] remote address
        public int idiag_if;                       // bound device index
        public int[] idiag_cookie = new int[2];    // the socket's cookie, low word first

        public InetDiagSockid() {
        }

        int offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    /** {@code struct inet_diag_req_v2}: a SOCK_DIAG_BY_FAMILY request. */
    @FieldOrder({"sdiag_family", "sdiag_protocol", "idiag_ext", "pad", "idiag_states", "id"})
    public static final class InetDiagReqV2 extends Structure {
        static final int SIZE = 56;

        public byte sdiag_family;          // AF_INET or AF_INET6
        public byte sdiag_protocol;        // IPPROTO_TCP
        public byte idiag_ext;             // extensions wanted (none)
        public byte pad;
        public int idiag_states;           // bit mask of TCP states to dump
        public InetDiagSockid id;          // for an exact lookup: the socket

        public InetDiagReqV2(Pointer memory) {
            super(memory);
        }

        /** Where the fields a lookup changes lie, from JNA's layout of this structure. */
        static final class ReqLayout {
            static final int FAMILY;
            static final int SPORT;
            static final int DPORT;
            static final int SRC;
            static final int DST;
            static final int COOKIE;

            static {
                InetDiagReqV2 r = new InetDiagReqV2(new com.sun.jna.Memory(SIZE));
                InetDiagSockid id = new InetDiagSockid();
                int base = r.fieldOffset("id");
                FAMILY = r.fieldOffset("sdiag_family");
                SPORT = base + id.offsetOf("idiag_sport");
                DPORT = base + id.offsetOf("idiag_dport");
                SRC = base + id.offsetOf("idiag_src");
                DST = base + id.offsetOf("idiag_dst");
                COOKIE = base + id.offsetOf("idiag_cookie");
                if (r.size() != SIZE) {
                    throw new AssertionError("struct inet_diag_req_v2 is " + SIZE + " bytes, JNA laid out " + r.size());
                }
            }

            private ReqLayout() {
            }
        }
    }

    /** {@code struct inet_diag_req}: the legacy TCPDIAG_GETSOCK request. */
    @FieldOrder({"idiag_family", "idiag_src_len", "idiag_dst_len", "idiag_ext", "id", "idiag_states", "idiag_dbs"})
    public static final class InetDiagReq extends Structure {
        static final int SIZE = 60;

        public byte idiag_family;          // ignored by dumps: both families
        public byte idiag_src_len;
        public byte idiag_dst_len;
        public byte idiag_ext;             // extensions wanted (none)
        public InetDiagSockid id;
        public int idiag_states;           // bit mask of TCP states to dump
        public int idiag_dbs;              // tables to dump (not implemented by the kernel)

        public InetDiagReq(Pointer memory) {
            super(memory);
        }
    }

    /** {@code struct inet_diag_bc_op}: one filter instruction; jump {@code yes} or {@code no} bytes on. */
    @FieldOrder({"code", "yes", "no"})
    public static final class InetDiagBcOp extends Structure {
        static final int SIZE = 4;

        public byte code;    // INET_DIAG_BC_*
        public byte yes;     // unsigned: bytes to skip when the condition holds
        public short no;     // unsigned: bytes to skip when it does not (for a port op's argument: the port)

        public InetDiagBcOp(Pointer memory) {
            super(memory);
        }
    }

    /**
     * {@code struct inet_diag_msg}: one socket in a reply. A dump may bring thousands, so they are read in place
     * through {@link Layout}'s offsets, which come from this structure.
     */
    @FieldOrder({"idiag_family", "idiag_state", "idiag_timer", "idiag_retrans", "id", "idiag_expires",
            "idiag_rqueue", "idiag_wqueue", "idiag_uid", "idiag_inode"})
    public static final class InetDiagMsg extends Structure {
        static final int SIZE = 72;

        public byte idiag_family;     // AF_INET or AF_INET6
        public byte idiag_state;      // TCP state; a time-wait socket's substate
        public byte idiag_timer;      // 0 none, 1 retransmit, 2 keepalive, 3 time-wait, 4 zero-window probe
        public byte idiag_retrans;    // retransmits (timer 1) or unanswered probes (timers 2 and 4)
        public InetDiagSockid id;
        public int idiag_expires;     // ms until the timer fires
        public int idiag_rqueue;      // bytes unread; a listener's accept queue
        public int idiag_wqueue;      // bytes unacknowledged; a listener's backlog
        public int idiag_uid;         // owner
        public int idiag_inode;       // socket inode; 0 for time-wait and request sockets

        public InetDiagMsg(Pointer memory) {
            super(memory);
        }

        /** Where each field lies, from JNA's layout of this structure. */
        static final class MsgLayout {
            static final int FAMILY;
            static final int STATE;
            static final int TIMER;
            static final int RETRANS;
            static final int SPORT;
            static final int DPORT;
            static final int SRC;
            static final int DST;
            static final int COOKIE;
            static final int EXPIRES;
            static final int RQUEUE;
            static final int WQUEUE;
            static final int UID;
            static final int INODE;

            static {
                InetDiagMsg m = new InetDiagMsg(new com.sun.jna.Memory(SIZE));
                InetDiagSockid id = new InetDiagSockid();
                int base = m.fieldOffset("id");
                FAMILY = m.fieldOffset("idiag_family");
                STATE = m.fieldOffset("idiag_state");
                TIMER = m.fieldOffset("idiag_timer");
                RETRANS = m.fieldOffset("idiag_retrans");
                SPORT = base + id.offsetOf("idiag_sport");
                DPORT = base + id.offsetOf("idiag_dport");
                SRC = base + id.offsetOf("idiag_src");
                DST = base + id.offsetOf("idiag_dst");
                COOKIE = base + id.offsetOf("idiag_cookie");
                EXPIRES = m.fieldOffset("idiag_expires");
                RQUEUE = m.fieldOffset("idiag_rqueue");
                WQUEUE = m.fieldOffset("idiag_wqueue");
                UID = m.fieldOffset("idiag_uid");
                INODE = m.fieldOffset("idiag_inode");
                if (m.size() != SIZE) {
                    throw new AssertionError("struct inet_diag_msg is " + SIZE + " bytes, JNA laid out " + m.size());
                }
            }

            private MsgLayout() {
            }
        }
    }
}
