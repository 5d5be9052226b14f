package io.echolab.watcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ss's spellings and timer text, as iproute2 6.1's misc/ss.c writes them (sstate_name, print_ms_timer,
 * tcp_timer_print); the layout against ss's own output is SsLiveTest's.
 */
class SsRendererTest {

    @ParameterizedTest
    @CsvSource({
        "0, ''",              // nothing at all: ss prints timer:(on,,0)
        "200, 200ms",
        "1500, 1.500ms",      // seconds then milliseconds, with a dot
        "9999, 9.999ms",
        "10500, 10sec",       // past 9 s the milliseconds go
        "59000, 59sec",
        "60000, 1min",
        "119000, 1min59sec",
        "600000, 10min",
        "7199960, 119min"})   // past 9 min the seconds go too
    void timesAsPrintMsTimerWritesThem(long millis, String text) {
        assertEquals(text, SsRenderer.milliseconds(millis));
    }

    @ParameterizedTest
    @CsvSource({"ESTABLISHED, ESTAB", "SYN_SENT, SYN-SENT", "SYN_RECV, SYN-RECV", "NEW_SYN_RECV, SYN-RECV",
        "FIN_WAIT1, FIN-WAIT-1", "FIN_WAIT2, FIN-WAIT-2", "TIME_WAIT, TIME-WAIT", "CLOSE, UNCONN",
        "CLOSE_WAIT, CLOSE-WAIT", "LAST_ACK, LAST-ACK", "LISTEN, LISTEN", "CLOSING, CLOSING"})
    void stateNamesAsSsSpellsThem(TcpState state, String name) {
        assertEquals(name, SsRenderer.stateName(state));
    }

    @ParameterizedTest
    @CsvSource({
        "OFF, 0, 0, 0, ''",
        "RETRANSMIT, 200, 2, 0, 'timer:(on,200ms,2)'",
        "KEEPALIVE, 7199960, 0, 3, 'timer:(keepalive,119min,3)'",
        "TIME_WAIT, 59870, 0, 0, 'timer:(timewait,59sec,0)'",
        "ZERO_WINDOW_PROBE, 1200, 0, 4, 'timer:(persist,1.200ms,4)'"})
    void timerCountsRetransmitsOrProbesAsTheKernelFillsIdiagRetrans(TimerKind timer, long millis, int retransmits,
            int probes, String text) throws IOException {
        assertEquals(text, SsRenderer.timer(row(TcpState.ESTABLISHED, timer, Duration.ofMillis(millis), retransmits, probes)));
    }

    @Test
    void ownersAndTimersGoInTheProcessColumnUsersFirst() throws IOException {
        TcpSocket timeWait = row(TcpState.TIME_WAIT, TimerKind.TIME_WAIT, Duration.ofMillis(59_000), 0, 0);

        List<String> lines = SsRenderer.snapshot(Instant.parse("2022-07-10T09:03:55.123Z"), ZoneOffset.UTC,
                List.of(timeWait), false, new TableColumns(true, true), key -> Optional.of(new Owner(4242, "echo-client", 5)));

        assertEquals(List.of(
                "2022-07-10 09:03:55.123",
                "State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process",
                "TIME-WAIT 0      0          127.0.0.1:58332    127.0.0.1:11233 "
                        + "users:((\"echo-client\",pid=4242,fd=5)) timer:(timewait,59sec,0)"), lines);
    }

    static TcpSocket row(TcpState state, TimerKind timer, Duration left, int retransmits, int probes) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        return new TcpSocket("tcp", new InetSocketAddress(loopback, 58332), new InetSocketAddress(loopback, 11233), state,
                0, 0, timer, left, retransmits, probes, 0, 0, 0);
    }
}
