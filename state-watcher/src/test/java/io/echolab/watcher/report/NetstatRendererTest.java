package io.echolab.watcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import io.echolab.watcher.Fixtures;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import io.echolab.watcher.proc.ProcNetTcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rows against what {@code netstat -ant} (net-tools 2.10) printed for the same tables, kept in each README. */
class NetstatRendererTest {

    @ParameterizedTest
    @ValueSource(strings = {"established-v4", "ipv6", "mapped", "time-wait", "fin-wait2-close-wait", "crafted"})
    void rowsMatchNetstat(String fixture) throws IOException {
        List<TcpSocket> sockets = ProcNetTcp.read(Fixtures.procRoot(fixture));

        List<String> rows = sockets.stream().map(NetstatRenderer::row).toList();

        assertEquals(Fixtures.netstatRows(fixture), rows, "netstat's rows for the same table, in the same order");
    }

    @Test
    void snapshotIsTheTimestampThenTheRows() throws IOException {
        Instant time = Instant.parse("2022-07-10T09:03:55.123Z");
        TcpSocket listener = new TcpSocket("tcp", new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 11233),
                new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), TcpState.LISTEN, 0, 0, TimerKind.OFF,
                Duration.ZERO, 0, 0, 0, 1, 0);

        List<String> lines = NetstatRenderer.snapshot(time, ZoneId.of("Asia/Shanghai"), List.of(listener));

        assertEquals(List.of("2022-07-10 17:03:55.123",
                "tcp        0      0 0.0.0.0:11233           0.0.0.0:*               LISTEN"), lines);
    }

    @Test
    void emptySnapshotIsJustTheTimestamp() {
        List<String> lines = NetstatRenderer.snapshot(Instant.parse("2022-07-10T09:04:35Z"), ZoneId.of("UTC"), List.of());

        assertEquals(List.of("2022-07-10 09:04:35.000"), lines, "the article's trace prints the date when nothing matches");
    }
}
