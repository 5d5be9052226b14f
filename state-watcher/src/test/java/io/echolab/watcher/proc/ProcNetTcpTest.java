package io.echolab.watcher.proc;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.echolab.watcher.Fixtures;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parser on verbatim /proc/net/tcp{,6} dumps from a 6.18 kernel. Expected values come from the
 * {@code ss -tanoe} output captured with each dump (in the fixture's README.txt), not from the parser.
 */
class ProcNetTcpTest {

    private static InetSocketAddress at(String ip, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private static void assertRow(TcpSocket row, String proto, InetSocketAddress local, InetSocketAddress remote,
            TcpState state, long rxQueue, long inode) {
        assertAll(row.toString(),
                () -> assertEquals(proto, row.proto(), "proto"),
                () -> assertEquals(local, row.local(), "local"),
                () -> assertEquals(remote, row.remote(), "remote"),
                () -> assertEquals(state, row.state(), "state"),
                () -> assertEquals(rxQueue, row.rxQueue(), "rx_queue (ss Recv-Q)"),
                () -> assertEquals(inode, row.inode(), "inode (ss ino)"),
                () -> assertEquals(0, row.uid(), "uid: the fixtures ran as root"));
    }

    @Test
    void ipv4ListenerAndEstablished() throws IOException {
        List<TcpSocket> rows = ProcNetTcp.read(Fixtures.procRoot("established-v4"));

        // ss: LISTEN 1 5 127.0.0.1:55563 0.0.0.0:* ino:14060, then four ESTAB rows.
        assertEquals(5, rows.size(), "ss showed five sockets on port 55563");
        assertRow(rows.get(0), "tcp", at("127.0.0.1", 55563), at("0.0.0.0", 0), TcpState.LISTEN, 1, 14060);
        assertRow(rows.get(1), "tcp", at("127.0.0.1", 55563), at("127.0.0.1", 55442), TcpState.ESTABLISHED, 0, 0);
        assertRow(rows.get(2), "tcp", at("127.0.0.1", 55563), at("127.0.0.1", 55436), TcpState.ESTABLISHED, 5, 14062);
        assertRow(rows.get(3), "tcp", at("127.0.0.1", 55436), at("127.0.0.1", 55563), TcpState.ESTABLISHED, 3, 14061);
        assertRow(rows.get(4), "tcp", at("127.0.0.1", 55442), at("127.0.0.1", 55563), TcpState.ESTABLISHED, 0, 14063);
        assertEquals(0, rows.get(0).txQueue(),
                "a listener's tx_queue in /proc is 0; ss's Send-Q 5 is its backlog, which /proc does not show");
        assertEquals(TimerKind.OFF, rows.get(2).timer(), "ss showed no timer on an idle connection");
    }

    @Test
    void ipv6Loopback() throws IOException {
        List<TcpSocket> rows = ProcNetTcp.read(Fixtures.procRoot("ipv6"));

        // ss: LISTEN [::1]:55971 [::]:* ino:14095; ESTAB [::1]:55971 [::1]:46142 ino:14097; and the client.
        assertEquals(3, rows.size());
        assertRow(rows.get(0), "tcp6", at("::1", 55971), at("::", 0), TcpState.LISTEN, 0, 14095);
        assertRow(rows.get(1), "tcp6", at("::1", 55971), at("::1", 46142), TcpState.ESTABLISHED, 0, 14097);
        assertRow(rows.get(2), "tcp6", at("::1", 46142), at("::1", 55971), TcpState.ESTABLISHED, 0, 14096);
        assertInstanceOf(Inet6Address.class, rows.get(0).local().getAddress());
    }

    @Test
    void ipv4MappedAddressesBecomeIpv4InTcp6Rows() throws IOException {
        List<TcpSocket> rows = ProcNetTcp.read(Fixtures.procRoot("mapped"));

        // ss: the AF_INET client in tcp, then the listener and three AF_INET6 sockets at [::ffff:127.0.0.1].
        assertEquals(5, rows.size());
        assertRow(rows.get(0), "tcp", at("127.0.0.1", 38430), at("127.0.0.1", 33567), TcpState.ESTABLISHED, 0, 14847);
        assertRow(rows.get(1), "tcp6", at("127.0.0.1", 33567), at("::", 0), TcpState.LISTEN, 0, 14846);
        assertRow(rows.get(2), "tcp6", at("127.0.0.1", 33567), at("127.0.0.1", 38436), TcpState.ESTABLISHED, 0, 14850);
        assertRow(rows.get(3), "tcp6", at("127.0.0.1", 38436), at("127.0.0.1", 33567), TcpState.ESTABLISHED, 0, 14849);
        assertRow(rows.get(4), "tcp6", at("127.0.0.1", 33567), at("127.0.0.1", 38430), TcpState.ESTABLISHED, 0, 14848);
        assertInstanceOf(Inet4Address.class, rows.get(2).local().getAddress(), "::ffff:127.0.0.1 is held as IPv4");
        assertInstanceOf(Inet6Address.class, rows.get(1).remote().getAddress(), ":: is not mapped: it stays IPv6");
    }

    @Test
    void timeWaitRowIsShortWithTimer3AndNoInode() throws IOException {
        List<String> lines = Fixtures.lines("time-wait", "tcp");
        List<TcpSocket> rows = ProcNetTcp.parse(lines, "tcp");

        // ss: LISTEN 127.0.0.1:43497 ino:14862; TIME-WAIT 127.0.0.1:34744 -> :43497 timer:(timewait,59sec,0) ino:0
        assertEquals(2, rows.size());
        assertRow(rows.get(0), "tcp", at("127.0.0.1", 43497), at("0.0.0.0", 0), TcpState.LISTEN, 0, 14862);
        TcpSocket timeWait = rows.get(1);
        assertRow(timeWait, "tcp", at("127.0.0.1", 34744), at("127.0.0.1", 43497), TcpState.TIME_WAIT, 0, 0);
        assertEquals(TimerKind.TIME_WAIT, timeWait.timer(), "ss: timer:(timewait,...)");
        assertBetween(Duration.ofSeconds(59), Duration.ofSeconds(60), timeWait.timerRemaining(),
                "ss said 59sec left, read a moment after the table");
        assertEquals(12, lines.get(2).strip().split("\\s+").length, "a time-wait row has 12 fields, not 17");
        assertEquals(149, lines.get(2).length(), "the kernel pads every IPv4 row to 149 characters");
    }

    @Test
    void orphanedFinWait2IsATimeWaitRowBesideCloseWait() throws IOException {
        List<TcpSocket> rows = ProcNetTcp.read(Fixtures.procRoot("fin-wait2-close-wait"));

        // ss: CLOSE-WAIT 1 0 127.0.0.1:46621 127.0.0.1:50214 ino:14173
        //     FIN-WAIT-2 0 0 127.0.0.1:50214 127.0.0.1:46621 timer:(timewait,59sec,0) ino:0
        assertEquals(3, rows.size());
        TcpSocket closeWait = rows.get(1);
        assertRow(closeWait, "tcp", at("127.0.0.1", 46621), at("127.0.0.1", 50214), TcpState.CLOSE_WAIT, 1, 14173);
        assertEquals(TimerKind.OFF, closeWait.timer(), "ss showed no timer on the CLOSE_WAIT side");
        TcpSocket finWait2 = rows.get(2);
        assertRow(finWait2, "tcp", at("127.0.0.1", 50214), at("127.0.0.1", 46621), TcpState.FIN_WAIT2, 0, 0);
        assertEquals(TimerKind.TIME_WAIT, finWait2.timer(), "an orphaned FIN_WAIT2 is a time-wait socket: timer 3");
        assertBetween(Duration.ofSeconds(59), Duration.ofSeconds(60), finWait2.timerRemaining(),
                "ss said 59sec left of tcp_fin_timeout (60 s)");
    }

    @Test
    void craftedRowsCoverTheOtherStatesAndTimers() throws IOException {
        List<TcpSocket> rows = ProcNetTcp.read(Fixtures.procRoot("crafted"));

        // The rows' fields as written (crafted/net/tcp): 01:00000064 is the retransmit timer at 100 ticks.
        TcpSocket synSent = rows.get(0);
        assertEquals(TcpState.SYN_SENT, synSent.state());
        assertEquals(TimerKind.RETRANSMIT, synSent.timer());
        assertEquals(Duration.ofSeconds(1), synSent.timerRemaining());
        assertEquals(2, synSent.retransmits());
        assertEquals(1000, synSent.uid());
        assertEquals(at("192.168.100.200", 65535), synSent.remote());
        assertEquals(4_294_967_294L, Integer.toUnsignedLong(rows.get(2).uid()), "uid_t is unsigned");
        assertEquals(List.of(TcpState.SYN_RECV, TcpState.FIN_WAIT1, TcpState.LAST_ACK, TcpState.CLOSING),
                rows.subList(1, 5).stream().map(TcpSocket::state).toList());
        TcpSocket probing = rows.get(5);
        assertEquals(TimerKind.ZERO_WINDOW_PROBE, probing.timer());
        assertEquals(Duration.ofSeconds(5), probing.timerRemaining(), "000001F4 = 500 ticks");
        assertEquals(123_456_789, probing.txQueue());
        assertEquals(7_654_321, probing.rxQueue());
        assertEquals(TimerKind.KEEPALIVE, rows.get(7).timer());
        assertEquals(Duration.ofHours(2), rows.get(7).timerRemaining(), "000AFC80 = 720000 ticks");
        // tcp6 follows tcp
        assertEquals(at("2001:db8:1234:5678:9abc:def0:1234:5678", 11233), rows.get(8).local());
        assertEquals(at("fe80::1", 54321), rows.get(8).remote());
        assertEquals(at("10.0.0.1", 80), rows.get(14).local(), "::ffff:10.0.0.1 is held as IPv4");
        assertEquals("tcp6", rows.get(14).proto());
        assertEquals(15, rows.size());
    }

    @Test
    void truncatedRowIsRejectedNamingTheLine() {
        Path root = Fixtures.procRoot("malformed-truncated");

        MalformedProcRowException e = assertThrows(MalformedProcRowException.class, () -> ProcNetTcp.read(root));

        assertEquals(3, e.lineNumber(), "the README says line 3 was cut");
        assertEquals(root.resolve("net/tcp").toString(), e.source());
        assertTrue(e.getMessage().startsWith(root.resolve("net/tcp") + " line 3: "), e.getMessage());
        assertTrue(e.getMessage().contains("\"   3: 0100007F:D90B 0100007F:D892 01 00000000:00000000 00:00000000\""),
                "the message quotes the line: " + e.getMessage());
    }

    @Test
    void badHexIsRejectedNamingTheLine() {
        MalformedProcRowException e = assertThrows(MalformedProcRowException.class,
                () -> ProcNetTcp.read(Fixtures.procRoot("malformed-hex")));

        assertEquals(5, e.lineNumber(), "the README says line 5 has the bad address");
        assertTrue(e.reason().contains("01O0007F:D88C"), e.reason());
        assertTrue(e.getMessage().contains("line 5: bad local address '01O0007F:D88C': \"  10: 01O0007F:D88C"),
                e.getMessage());
    }

    @Test
    void headerIsSkippedByItsShapeOnlyOnTheFirstLine() throws IOException {
        List<String> lines = Fixtures.lines("time-wait", "tcp");

        assertEquals(List.of(), ProcNetTcp.parse(lines.subList(0, 1), "tcp"), "a header alone is no rows");
        assertEquals(2, ProcNetTcp.parse(lines.subList(1, 3), "tcp").size(), "rows without the header parse");
        MalformedProcRowException e = assertThrows(MalformedProcRowException.class,
                () -> ProcNetTcp.parse(List.of(lines.get(1), lines.get(0)), "tcp"));
        assertEquals(2, e.lineNumber(), "a header anywhere but first is not a row");
    }

    @Test
    void otherMalformedRowsAreRejected() throws IOException {
        String good = Fixtures.lines("time-wait", "tcp").get(1);

        assertMalformed(good.replace(" 0A ", " 0D "), "unknown TCP state 0x0D");
        assertMalformed(good.replace(" 0A ", " A "), "bad state 'A'");
        assertMalformed("", "truncated row");
        assertMalformed(good.replace("0100007F:A9E9", "0100007F:A9E"), "bad local address '0100007F:A9E'");
        assertMalformed(good.replace("   0: ", "   x: "), "bad slot 'x:'");
        assertMalformed(good.replace(" 14862 ", " -1 "), "bad inode '-1'");
        assertMalformed(good.replace(" 00:00000000 ", " 00-00000000 "), "bad tr:tm->when '00-00000000'");
        assertMalformed(good.replace(" 00:00000000 ", " 07:00000000 "), "unknown timer 7");
        MalformedProcRowException e = assertThrows(MalformedProcRowException.class,
                () -> ProcNetTcp.parse(List.of(good), "tcp6"));
        assertTrue(e.reason().contains("bad local address"), "an IPv4 row in tcp6 is malformed: " + e.reason());
    }

    private static void assertMalformed(String line, String reason) {
        MalformedProcRowException e = assertThrows(MalformedProcRowException.class,
                () -> ProcNetTcp.parse(List.of(line), "tcp"), line);
        assertTrue(e.reason().contains(reason), "expected '" + reason + "' in: " + e.reason());
        assertEquals(1, e.lineNumber());
    }

    @Test
    void overdueTimerPrintedAsNegativeIsZero() throws IOException {
        // Kernels before jiffies_delta_to_clock_t printed an overdue timer as a negative 64-bit number.
        String row = Fixtures.lines("fin-wait2-close-wait", "tcp").get(3).replace("03:0000173C", "03:FFFFFFFFFFFFFFF6");

        TcpSocket socket = ProcNetTcp.parse(List.of(row), "tcp").get(0);

        assertEquals(Duration.ZERO, socket.timerRemaining());
    }

    @Test
    void missingTcp6MeansNoIpv6Rows(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("net"));
        Files.copy(Fixtures.procRoot("time-wait").resolve("net/tcp"), root.resolve("net/tcp"));

        assertEquals(2, ProcNetTcp.read(root).size(), "the two tcp rows, and no failure for tcp6");
    }

    @Test
    void missingTcpIsAnError(@TempDir Path root) {
        assertThrows(NoSuchFileException.class, () -> ProcNetTcp.read(root.resolve("no-such-pid")));
    }

    private static void assertBetween(Duration low, Duration high, Duration actual, String why) {
        assertTrue(actual.compareTo(low) >= 0 && actual.compareTo(high) <= 0,
                why + ": expected " + low + " to " + high + ", was " + actual);
    }
}
