package io.echolab.watcher.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;

/**
 * The parser on a verbatim capture of the tracepoint from a 6.18 kernel (resources/trace, whose README says
 * what the capture did). Expected values are read off the capture's own lines, not from the parser.
 */
class TraceLineTest {

    private static List<String> capture() throws IOException {
        try (InputStream in = TraceLineTest.class.getResourceAsStream("/trace/inet_sock_set_state.txt")) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n"));
        }
    }

    private static Transition line(int number) throws IOException {
        return TraceLine.parse(capture().get(number - 1)).orElseThrow();
    }

    private static InetSocketAddress at(String ip, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void everyLineOfTheCaptureIsATcpTransition() throws IOException {
        assertEquals(34, capture().stream().map(TraceLine::parse).filter(Optional::isPresent).count());
    }

    @Test
    void aListenerStartsWithItsTimeInMicroseconds() throws IOException {
        Transition listen = line(1);

        assertEquals(907_734_868_000L, listen.monotonicNanos(), "907.734868 s on the mono clock");
        assertEquals("tcp", listen.proto());
        assertEquals(at("127.0.0.1", 47011), listen.local());
        assertEquals(at("0.0.0.0", 0), listen.remote());
        assertEquals(TcpState.CLOSE, listen.from());
        assertEquals(TcpState.LISTEN, listen.to());
        assertEquals(32350, listen.task(), "listen() runs in python3-32350's own context");
    }

    @Test
    void synSentComesBeforeItsPortIsChosen() throws IOException {
        Transition connect = line(2);
        Transition connected = line(3);

        assertEquals(0, connect.local().getPort(), "sport=0: the port is not chosen yet");
        assertEquals(TcpState.SYN_SENT, connect.to());
        assertEquals(50320, connected.local().getPort());
        assertEquals(TcpState.SYN_SENT, connected.from());
        assertEquals(connect.withLocalPort(50320).key(), connected.key(), "the next event gives the port");
    }

    @Test
    void eventsHandlingAPacketBelongToNoTask() throws IOException {
        assertEquals(0, line(4).task(), "'..s2.': LISTEN -> SYN_RECV in a softirq");
        assertEquals(0, line(8).task(), "<idle>-0 in a softirq");
        assertEquals(0, line(20).task(), "ksoftirqd/1-22: a dash in COMM");
        assertEquals(TcpState.FIN_WAIT1, line(20).from());
        assertEquals(TcpState.FIN_WAIT2, line(20).to());
    }

    @Test
    void ipv6SocketsTakeTheirAddressesFromTheV6Fields() throws IOException {
        Transition v6 = line(15);

        assertEquals("tcp6", v6.proto());
        assertEquals(at("::1", 48052), v6.local(), "saddr=0.0.0.0 is a placeholder for an AF_INET6 socket");
        assertEquals(at("::1", 47011), v6.remote());
    }

    @Test
    void mappedAddressesAreIpv4InATcp6Transition() throws IOException {
        Transition accepted = line(28);

        assertEquals("tcp6", accepted.proto(), "family=AF_INET6: the dual-stack listener's child");
        assertEquals(at("127.0.0.1", 47011), accepted.local(), "::ffff:127.0.0.1 shown as IPv4, as netstat does");
        assertEquals(TcpState.SYN_RECV, accepted.to());
    }

    @Test
    void aResetSocketGoesStraightToClose() throws IOException {
        assertEquals(TcpState.ESTABLISHED, line(30).from());
        assertEquals(TcpState.CLOSE, line(30).to());
    }

    @Test
    void otherLinesAreNoTransition() {
        assertTrue(TraceLine.parse("# tracer: nop").isEmpty());
        assertTrue(TraceLine.parse("  python3-1 [000] .....  1.000001: inet_sock_set_state: family=AF_INET "
                + "protocol=IPPROTO_MPTCP sport=1 dport=2 saddr=1.2.3.4 daddr=1.2.3.4 saddrv6=::1 daddrv6=::1 "
                + "oldstate=TCP_CLOSE newstate=TCP_LISTEN").isEmpty(), "MPTCP is not TCP's table");
        assertEquals(12, TraceLine.lostEvents("CPU:1 [LOST 12 EVENTS]"));
        assertEquals(0, TraceLine.lostEvents("anything else"));
    }

    @Test
    void aBrokenLineSaysWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceLine.parse(
                "  python3-1 [000] .....  1.000001: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP "
                        + "sport=99999 dport=2 saddr=1.2.3.4 daddr=1.2.3.4 saddrv6=::1 daddrv6=::1 "
                        + "oldstate=TCP_CLOSE newstate=TCP_LISTEN"));
        assertTrue(e.getMessage().startsWith("bad port '99999'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TraceLine.parse(
                "  python3-1 [000] .....  1.000001: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP "
                        + "sport=1 dport=2 saddr=example.com daddr=1.2.3.4 saddrv6=::1 daddrv6=::1 "
                        + "oldstate=TCP_CLOSE newstate=TCP_LISTEN"), "a name is never looked up");
    }

    @Test
    void filterKeepsTcpAndTheWatchedPorts() {
        assertEquals("protocol == 6", TraceSession.filter(java.util.Set.of()));
        assertEquals("protocol == 6 && (sport == 80 || dport == 80 || sport == 11233 || dport == 11233)",
                TraceSession.filter(java.util.Set.of(11233, 80)));
    }
}
