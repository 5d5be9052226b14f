package io.echolab.watcher.model;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One TCP segment as a packet capture saw it on an interface, counted once.
 *
 * @param time          when the kernel stamped it (CLOCK_REALTIME: the same clock as the watcher's other times)
 * @param source        the sender's address and port
 * @param destination   the receiver's
 * @param flags         the header's flags
 * @param seq           the sequence number, unsigned 32 bits
 * @param ack           the acknowledgment number (meaningful with ACK), unsigned 32 bits
 * @param window        the advertised window, unscaled as it is on the wire
 * @param payloadLength bytes of data after the TCP header
 * @param interfaceName where it was seen, e.g. {@code lo}; {@code if3} when the name was not known
 */
public record TcpPacket(Instant time, InetSocketAddress source, InetSocketAddress destination, Set<Flag> flags,
        long seq, long ack, int window, int payloadLength, String interfaceName) {

    /** The TCP header's flags, low bit first (RFC 9293, RFC 3168), as tcpdump and Wireshark name them. */
    public enum Flag {
        FIN, SYN, RST, PSH, ACK, URG, ECE, CWR;

        /** The flag's bit in the header's 13th byte. */
        public int bit() {
            return 1 << ordinal();
        }

        /** The flags set in {@code bits}. */
        public static Set<Flag> of(int bits) {
            Set<Flag> flags = EnumSet.noneOf(Flag.class);
            for (Flag flag : values()) {
                if ((bits & flag.bit()) != 0) {
                    flags.add(flag);
                }
            }
            return flags;
        }
    }

    public TcpPacket {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        if (seq < 0 || seq > 0xFFFF_FFFFL || ack < 0 || ack > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("seq and ack are 32-bit unsigned: " + seq + ", " + ack);
        }
        if (window < 0 || window > 0xFFFF || payloadLength < 0) {
            throw new IllegalArgumentException("window is 16-bit unsigned and length not negative: " + window + ", "
                    + payloadLength);
        }
        Objects.requireNonNull(interfaceName, "interfaceName");
    }

    public boolean has(Flag flag) {
        return flags.contains(flag);
    }

    /** {@code FIN, ACK}: the flags in Wireshark's order (SYN, FIN, RST, PSH, ACK as set). */
    public String flagNames() {
        return flags.stream().sorted((a, b) -> Integer.compare(order(a), order(b)))
                .map(Flag::name).collect(Collectors.joining(", "));
    }

    private static int order(Flag flag) {
        return switch (flag) {
            case SYN -> 0;
            case FIN -> 1;
            case RST -> 2;
            case PSH -> 3;
            case ACK -> 4;
            case URG -> 5;
            case ECE -> 6;
            case CWR -> 7;
        };
    }

    /** True when it goes between these two ends, either way. */
    public boolean between(InetSocketAddress one, InetSocketAddress other) {
        return source.equals(one) && destination.equals(other) || source.equals(other) && destination.equals(one);
    }
}
