package io.echolab.watcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.echolab.watcher.Csv;
import io.echolab.watcher.Json;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** csv read back with Jackson's CSV reader (header row as the column names), beside the same change as jsonl. */
class CsvRendererTest {

    @ParameterizedTest
    @ValueSource(strings = {"echo-client", "a,b", "say \"hi\"", "two\nlines", "\r\n", " padded ", "caf\u00e9 \u6d4b\u8bd5",
        "=1+1", ""})
    void sameFieldsAsJsonlAndAwkwardCommandsReadBack(String command) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        TcpSocket timeWait = new TcpSocket("tcp", new InetSocketAddress(loopback, 58332),
                new InetSocketAddress(loopback, 11233), TcpState.TIME_WAIT, 0, 0, TimerKind.TIME_WAIT,
                Duration.ofMillis(59_990), 0, 0, 0, 0, 0);
        StateChange change = new StateChange(Instant.parse("2022-07-10T09:04:05.625Z"), ConnectionKey.of(timeWait),
                TcpState.TIME_WAIT, TcpState.FIN_WAIT2, Duration.ofMillis(10_002), true, timeWait, false);
        Optional<Owner> owner = Optional.of(new Owner(4242, command, 3));
        StateChange gone = new StateChange(Instant.parse("2022-07-10T09:05:05.625Z"), ConnectionKey.of(timeWait), null,
                TcpState.TIME_WAIT, Duration.ofSeconds(60), true, null, false);

        String csv = CsvRenderer.header() + "\n" + CsvRenderer.row(change, true, owner) + "\n"
                + CsvRenderer.row(gone, true, Optional.empty()) + "\n";
        List<Map<String, String>> rows = Csv.rows(csv);

        Map<String, Object> json = Json.object(JsonlRenderer.line(change, true, owner));
        assertEquals(List.copyOf(json.keySet()), Arrays.asList(CsvRenderer.header().split(",")), "jsonl's names, in order");
        assertEquals(2, rows.size(), csv);
        Map<String, String> row = rows.get(0);
        json.forEach((name, value) -> assertEquals(value == null ? "" : value.toString(), row.get(name), name));
        assertEquals(command, row.get("command"));
        assertEquals("2022-07-10T09:04:05.625000Z", row.get("time"));
        assertEquals("CLOSED", rows.get(1).get("state"));
        assertEquals("", rows.get(1).get("timer"), "a gone row has no timer: empty, as jsonl's null");
        assertEquals("", rows.get(1).get("pid"));
    }
}
