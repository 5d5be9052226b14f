package io.echolab.watcher.capture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Arrays;

import io.echolab.watcher.model.TcpPacket;

/**
 * Reads a TCP segment's addresses, ports, flags, numbers and payload length from the start of an IPv4 or IPv6
 * packet (RFC 791, RFC 8200, RFC 9293), as a SOCK_DGRAM packet socket delivers it: from the IP header on,
 * truncated to the filter's snap length. Pure: no I/O.
 */
public final class TcpHeaders {

    private static final int IPPROTO_TCP = 6;

    private TcpHeaders() {
    }

    /**
     * @param packet      the packet's first bytes, from its IP header
     * @param captured    how many of them are there
     * @param wireLength  the packet's real length (recvmsg with MSG_TRUNC), for the payload when the IP header's
     *                    own length is 0 (a segment larger than 64 KiB, as BIG TCP sends)
     * @throws IllegalArgumentException naming what is wrong when it is not a whole IPv4 or IPv6 TCP header
     */
    public static TcpPacket parse(Instant time, byte[] packet, int captured, int wireLength, String interfaceName) {
        if (captured < 1 || captured > packet.length) {
            throw new IllegalArgumentException("empty packet");
        }
        int version = (packet[0] & 0xff) >>> 4;
        int tcpAt;
        int ipPayload;
        InetAddress source;
        InetAddress destination;
        if (version == 4) {
            need(packet, captured, 20, "an IPv4 header");
            int headerLength = (packet[0] & 0x0f) * 4;
            need(packet, captured, headerLength, "the IPv4 header's " + headerLength + " bytes");
            if ((packet[9] & 0xff) != IPPROTO_TCP) {
                throw new IllegalArgumentException("IPv4 protocol " + (packet[9] & 0xff) + ", not TCP");
            }
            int total = u16(packet, 2);
            ipPayload = (total != 0 ? total : wireLength) - headerLength;
            source = address(packet, 12, 4);
            destination = address(packet, 16, 4);
            tcpAt = headerLength;
        } else if (version == 6) {
            need(packet, captured, 40, "an IPv6 header");
            if ((packet[6] & 0xff) != IPPROTO_TCP) {
                throw new IllegalArgumentException("IPv6 next header " + (packet[6] & 0xff) + ", not TCP");
            }
            int payloadLength = u16(packet, 4);
            ipPayload = payloadLength != 0 ? payloadLength : wireLength - 40;
            source = address(packet, 8, 16);
            destination = address(packet, 24, 16);
            tcpAt = 40;
        } else {
            throw new IllegalArgumentException("IP version " + version + ", neither 4 nor 6");
        }
        need(packet, captured, tcpAt + 20, "a TCP header");
        int tcpHeaderLength = ((packet[tcpAt + 12] & 0xff) >>> 4) * 4;
        if (tcpHeaderLength < 20 || ipPayload < tcpHeaderLength) {
            throw new IllegalArgumentException("TCP data offset " + tcpHeaderLength + " in an IP payload of " + ipPayload);
        }
        return new TcpPacket(time,
                new InetSocketAddress(source, u16(packet, tcpAt)),
                new InetSocketAddress(destination, u16(packet, tcpAt + 2)),
                TcpPacket.Flag.of(packet[tcpAt + 13] & 0xff),
                u32(packet, tcpAt + 4), u32(packet, tcpAt + 8), u16(packet, tcpAt + 14),
                ipPayload - tcpHeaderLength, interfaceName);
    }

    private static void need(byte[] packet, int captured, int length, String what) {
        if (captured < length) {
            throw new IllegalArgumentException(captured + " bytes captured, too few for " + what);
        }
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static long u32(byte[] b, int at) {
        return (long) u16(b, at) << 16 | u16(b, at + 2);
    }

    /** An IPv4-mapped IPv6 address comes back as the IPv4 address, as the watcher's rows hold it. */
    private static InetAddress address(byte[] b, int at, int length) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(b, at, at + length));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }
}
