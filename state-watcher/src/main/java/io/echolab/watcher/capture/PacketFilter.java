package io.echolab.watcher.capture;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The classic BPF program the kernel runs on every packet before it reaches the capture socket
 * (SO_ATTACH_FILTER, filter.txt): keep IPv4 and IPv6 TCP segments with one of the ports at either end, and
 * only their first {@link #SNAP_LENGTH} bytes (the headers); drop everything else in the kernel. It reads the
 * packet from its IP header, as a SOCK_DGRAM packet socket sees it (packet_rcv pulls the link-layer header
 * off, outgoing packets included, before it runs the filter). What tcpdump compiles for
 * {@code tcp port P}, written out:
 *
 * <pre>
 *     ldh  proto                 ; skb->protocol (ancillary load)
 *     jeq  #0x0800, ipv4
 *     jeq  #0x86dd, ipv6, drop
 * ipv4: ldb [9] ; jeq #6 else drop          ; protocol TCP
 *     ldh  [6] ; jset #0x1fff, drop         ; not a later fragment (no TCP header there)
 *     ldxb 4*([0]&amp;0xf)                      ; x = IP header length
 *     ldh  [x+0] ; jeq #P, accept ...       ; source port
 *     ldh  [x+2] ; jeq #P, accept ...       ; destination port
 *     ret  #0
 * ipv6: ldb [6] ; jeq #6 else drop          ; next header TCP (no extension headers)
 *     ldh  [40] ; jeq #P, accept ...
 *     ldh  [42] ; jeq #P, accept ...
 * drop: ret #0
 * accept: ret #SNAP_LENGTH
 * </pre>
 */
public final class PacketFilter {

    /** Enough for the longest IPv4 header (60) and TCP header (60); IPv6's is 40. */
    public static final int SNAP_LENGTH = 128;
    /** Jumps are 8-bit offsets: this many ports keep every jump within 255 instructions. */
    public static final int MAX_PORTS = 50;

    // linux/bpf_common.h and linux/filter.h
    static final int BPF_LD = 0x00;
    static final int BPF_LDX = 0x01;
    static final int BPF_JMP = 0x05;
    static final int BPF_RET = 0x06;
    static final int BPF_H = 0x08;
    static final int BPF_B = 0x10;
    static final int BPF_ABS = 0x20;
    static final int BPF_IND = 0x40;
    static final int BPF_MSH = 0xa0;
    static final int BPF_JEQ = 0x10;
    static final int BPF_JSET = 0x40;
    static final int BPF_K = 0x00;
    static final int SKF_AD_OFF = -0x1000;
    static final int SKF_AD_PROTOCOL = 0;

    private static final int ETH_P_IP = 0x0800;
    private static final int ETH_P_IPV6 = 0x86dd;
    private static final int IPPROTO_TCP = 6;

    /** One instruction: {@code struct sock_filter}. Jump offsets count from the next instruction. */
    public record Instruction(int code, int jt, int jf, int k) {
    }

    private PacketFilter() {
    }

    /**
     * The program for {@code ports}; every TCP segment when it is empty.
     *
     * @throws IllegalArgumentException for a port out of range, or more than {@link #MAX_PORTS}
     */
    public static List<Instruction> compile(Set<Integer> ports) {
        if (ports.size() > MAX_PORTS) {
            throw new IllegalArgumentException("a packet filter takes at most " + MAX_PORTS + " ports, not " + ports.size());
        }
        for (int port : ports) {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("not a port: " + port);
            }
        }
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(ports));
        Program p = new Program();
        p.add(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL);
        p.jump(ETH_P_IP, "ipv4", null);
        p.jump(ETH_P_IPV6, "ipv6", "drop");

        p.label("ipv4");
        p.add(BPF_LD | BPF_B | BPF_ABS, 9);
        p.jump(IPPROTO_TCP, null, "drop");
        p.add(BPF_LD | BPF_H | BPF_ABS, 6);
        p.jumpIfSet(0x1fff, "drop", null);
        p.add(BPF_LDX | BPF_B | BPF_MSH, 0);
        ports(p, sorted, BPF_LD | BPF_H | BPF_IND, 0, 2);
        p.add(BPF_RET | BPF_K, 0);

        p.label("ipv6");
        p.add(BPF_LD | BPF_B | BPF_ABS, 6);
        p.jump(IPPROTO_TCP, null, "drop");
        ports(p, sorted, BPF_LD | BPF_H | BPF_ABS, 40, 42);

        p.label("drop");
        p.add(BPF_RET | BPF_K, 0);
        p.label("accept");
        p.add(BPF_RET | BPF_K, SNAP_LENGTH);
        return p.resolve();
    }

    /** Source port, then destination port, each compared with every port; no ports: accept. */
    private static void ports(Program p, List<Integer> ports, int load, int sourceAt, int destinationAt) {
        if (ports.isEmpty()) {
            p.add(BPF_RET | BPF_K, SNAP_LENGTH);
            return;
        }
        for (int at : new int[] {sourceAt, destinationAt}) {
            p.add(load, at);
            for (int port : ports) {
                p.jump(port, "accept", null);
            }
        }
    }

    /** A program with forward jumps to labels, resolved at the end. */
    private static final class Program {
        private record Pending(int code, String jt, String jf, int k) {
        }

        private final List<Pending> code = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        void add(int op, int k) {
            code.add(new Pending(op, null, null, k));
        }

        /** {@code jeq #k}: true to {@code yes}, false to {@code no}; null is the next instruction. */
        void jump(int k, String yes, String no) {
            code.add(new Pending(BPF_JMP | BPF_JEQ | BPF_K, yes, no, k));
        }

        void jumpIfSet(int k, String yes, String no) {
            code.add(new Pending(BPF_JMP | BPF_JSET | BPF_K, yes, no, k));
        }

        void label(String name) {
            labels.put(name, code.size());
        }

        List<Instruction> resolve() {
            List<Instruction> out = new ArrayList<>(code.size());
            for (int i = 0; i < code.size(); i++) {
                Pending p = code.get(i);
                if ((p.code() & 0x07) == BPF_JMP) {
                    out.add(new Instruction(p.code(), offset(i, p.jt()), offset(i, p.jf()), p.k()));
                } else {
                    out.add(new Instruction(p.code(), 0, 0, p.k()));
                }
            }
            return List.copyOf(out);
        }

        private int offset(int from, String target) {
            if (target == null) {
                return 0;
            }
            int offset = labels.get(target) - from - 1;
            if (offset < 0 || offset > 255) {
                throw new IllegalStateException("jump of " + offset + " from " + from + " to " + target);
            }
            return offset;
        }
    }
}
