package io.echolab.watcher.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.echolab.watcher.model.TcpPacket;
import io.echolab.watcher.model.TcpPacket.Flag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The header parser on packets a real kernel sent, compared with what tcpdump decoded from the same bytes
 * (src/test/resources/packets/README.md says how they were taken).
 */
class TcpHeadersTest {

    /** tcpdump's first line of a packet: {@code 21:40:06.01 IP 127.0.0.1.57112 > 127.0.0.1.13297: Flags [R.], ...}. */
    private static final Pattern SUMMARY = Pattern.compile(
            "^\\S+ IP6? (\\S+)\\.(\\d+) > (\\S+)\\.(\\d+): Flags \\[([^]]*)\\](.*), length (\\d+)$");
    private static final Pattern SEQ = Pattern.compile("seq (\\d+)(?::\\d+)?,");
    private static final Pattern ACK = Pattern.compile("ack (\\d+),");
    private static final Pattern WIN = Pattern.compile("win (\\d+)");

    /** One packet of the dump: tcpdump's summary line and the bytes it printed. */
    private record Dumped(String summary, byte[] bytes) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipv4-close-and-reset.txt", "ipv6-close.txt"})
    void everyPacketReadsAsTcpdumpDecodedIt(String dump) throws IOException {
        List<Dumped> packets = read(dump);
        assertTrue(packets.size() >= 9, "the dump has its packets: " + packets.size());
        for (Dumped packet : packets) {
            Matcher m = SUMMARY.matcher(packet.summary());
            assertTrue(m.matches(), "a tcpdump summary: " + packet.summary());
            TcpPacket parsed = TcpHeaders.parse(Instant.EPOCH, packet.bytes(), packet.bytes().length,
                    packet.bytes().length, "lo");
            String what = packet.summary();
            assertEquals(address(m.group(1), m.group(2)), parsed.source(), what);
            assertEquals(address(m.group(3), m.group(4)), parsed.destination(), what);
            assertEquals(flags(m.group(5)), parsed.flags(), what);
            assertEquals(Integer.parseInt(m.group(7)), parsed.payloadLength(), what);
            Matcher seq = SEQ.matcher(m.group(6));
            if (seq.find()) {
                assertEquals(Long.parseLong(seq.group(1)), parsed.seq(), what);
            }
            Matcher ack = ACK.matcher(m.group(6));
            if (ack.find()) {
                assertEquals(Long.parseLong(ack.group(1)), parsed.ack(), what);
            }
            Matcher win = WIN.matcher(m.group(6));
            assertTrue(win.find(), what);
            assertEquals(Integer.parseInt(win.group(1)), parsed.window(), what);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10, 20, 39})
    void aTruncatedHeaderIsRefusedNamingWhatIsMissing(int length) throws IOException {
        byte[] syn = read("ipv4-close-and-reset.txt").get(0).bytes();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TcpHeaders.parse(Instant.EPOCH, syn, length, syn.length, "lo"));
        assertTrue(e.getMessage().contains("too few") || e.getMessage().contains("empty"), e.getMessage());
    }

    /** tcpdump's flag letters (print-tcp.c): S SYN, F FIN, P PSH, R RST, U URG, E ECE, W CWR, . ACK. */
    private static Set<Flag> flags(String letters) {
        Set<Flag> flags = EnumSet.noneOf(Flag.class);
        for (char c : letters.toCharArray()) {
            flags.add(switch (c) {
                case 'S' -> Flag.SYN;
                case 'F' -> Flag.FIN;
                case 'P' -> Flag.PSH;
                case 'R' -> Flag.RST;
                case 'U' -> Flag.URG;
                case 'E' -> Flag.ECE;
                case 'W' -> Flag.CWR;
                case '.' -> Flag.ACK;
                default -> throw new IllegalArgumentException("flag letter " + c);
            });
        }
        return flags;
    }

    private static InetSocketAddress address(String host, String port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
    }

    private static List<Dumped> read(String name) throws IOException {
        String text;
        try (InputStream in = TcpHeadersTest.class.getResourceAsStream("/packets/" + name)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException("no resource packets/" + name));
            }
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        List<Dumped> packets = new ArrayList<>();
        String summary = null;
        StringBuilder hex = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.startsWith("\t0x")) {
                hex.append(line.substring(line.indexOf(':') + 1).replace(" ", ""));
            } else {
                if (summary != null) {
                    packets.add(new Dumped(summary, HexFormat.of().parseHex(hex)));
                }
                summary = line;
                hex.setLength(0);
            }
        }
        if (summary != null) {
            packets.add(new Dumped(summary, HexFormat.of().parseHex(hex)));
        }
        return packets;
    }
}
