package io.echolab.watcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.echolab.watcher.Json;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The jsonl schema on constructed changes, read back with a strict JSON reader. */
class JsonlRendererTest {

    private static final List<String> FIELDS = List.of("time", "event", "proto", "local", "remote", "state",
            "previous", "previous_ms", "previous_us", "previous_start_seen", "initial", "timer", "timer_ms", "retransmits", "probes",
            "tx_queue", "rx_queue", "uid", "inode", "pid", "command", "fd");

    private static TcpSocket row(TcpState state, TimerKind timer, Duration left, long inode) throws IOException {
        return new TcpSocket("tcp6", new InetSocketAddress(InetAddress.getByName("::1"), 58332),
                new InetSocketAddress(InetAddress.getByName("::1"), 11233), state, 1, 2, timer, left, 3, 0, -2, inode, 0);
    }

    @Test
    void changeHasEveryField() throws IOException {
        TcpSocket timeWait = row(TcpState.TIME_WAIT, TimerKind.TIME_WAIT, Duration.ofMillis(59_990), 0);
        StateChange change = new StateChange(Instant.parse("2022-07-10T09:04:05.625Z"), ConnectionKey.of(timeWait),
                TcpState.TIME_WAIT, TcpState.FIN_WAIT2, Duration.ofMillis(10_002), true, timeWait, false);

        Map<String, Object> json = Json.object(JsonlRenderer.line(change, false, Optional.of(new Owner(4242, "echo-client", 3))));

        assertEquals(FIELDS, List.copyOf(json.keySet()), "every field, in the documented order");
        assertEquals("2022-07-10T09:04:05.625Z", json.get("time"));
        assertEquals("change", json.get("event"));
        assertEquals("tcp6", json.get("proto"));
        assertEquals("[::1]:58332", json.get("local"));
        assertEquals("[::1]:11233", json.get("remote"));
        assertEquals("TIME_WAIT", json.get("state"));
        assertEquals("FIN_WAIT2", json.get("previous"));
        assertEquals(10_002L, ((Number) json.get("previous_ms")).longValue());
        assertEquals(true, json.get("previous_start_seen"));
        assertEquals(false, json.get("initial"));
        assertEquals("timewait", json.get("timer"));
        assertEquals(59_990L, ((Number) json.get("timer_ms")).longValue());
        assertEquals(3L, ((Number) json.get("retransmits")).longValue());
        assertEquals(1L, ((Number) json.get("tx_queue")).longValue());
        assertEquals(2L, ((Number) json.get("rx_queue")).longValue());
        assertEquals(4_294_967_294L, ((Number) json.get("uid")).longValue(), "uid -2 as int is uid_t 4294967294");
        assertEquals(0L, ((Number) json.get("inode")).longValue());
        assertEquals(4242L, ((Number) json.get("pid")).longValue(), "a TIME_WAIT row keeps its owner");
        assertEquals("echo-client", json.get("command"));
        assertEquals(3L, ((Number) json.get("fd")).longValue());
    }

    @Test
    void newAndGoneUseNulls() throws IOException {
        TcpSocket established = row(TcpState.ESTABLISHED, TimerKind.OFF, Duration.ZERO, 4242);
        Instant time = Instant.parse("2022-07-10T09:03:54Z");

        Map<String, Object> appeared = Json.object(JsonlRenderer.line(StateChange.appeared(time, established, true), false, Optional.empty()));
        Map<String, Object> gone = Json.object(JsonlRenderer.line(new StateChange(time,
                ConnectionKey.of(established), null, TcpState.TIME_WAIT, Duration.ofSeconds(60), true, null, false), false,
                Optional.empty()));

        assertEquals("new", appeared.get("event"));
        assertEquals("2022-07-10T09:03:54.000Z", appeared.get("time"), "milliseconds always shown");
        assertNull(appeared.get("previous"));
        assertNull(appeared.get("previous_ms"));
        assertEquals(false, appeared.get("previous_start_seen"));
        assertEquals(true, appeared.get("initial"));
        assertEquals(4242L, ((Number) appeared.get("inode")).longValue());
        assertNull(appeared.get("pid"), "no owner found");
        assertNull(appeared.get("command"));
        assertEquals(FIELDS, List.copyOf(gone.keySet()));
        assertEquals("gone", gone.get("event"));
        assertEquals("CLOSED", gone.get("state"));
        assertEquals("TIME_WAIT", gone.get("previous"));
        assertEquals(60_000L, ((Number) gone.get("previous_ms")).longValue());
        for (String field : List.of("timer", "timer_ms", "retransmits", "probes", "tx_queue", "rx_queue", "uid", "inode")) {
            assertNull(gone.get(field), field + " has no row to come from");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "a\"b\\c", "\n\r\t\b\f\u0000\u001f", "\u2028\u2029", "caf\u00e9 \u6d4b\u8bd5 /",
        "q\"b\\s\u0001\n\u007f\u2028\u00e9", "{\"pid\":1}", "\ud83d\ude00 emoji", "trailing\\"})
    void awkwardCommandsReadBackUnchangedOnOneLine(String command) throws IOException {
        TcpSocket row = row(TcpState.ESTABLISHED, TimerKind.OFF, Duration.ZERO, 1);
        String line = JsonlRenderer.line(StateChange.appeared(Instant.EPOCH, row, false), false,
                Optional.of(new Owner(7, command, 3)));

        assertFalse(line.contains("\n") || line.contains("\r"), "one line: " + line);
        Map<String, Object> json = Json.object(line);
        assertEquals(command, json.get("command"), "the program's name as /proc gave it");
        assertEquals(FIELDS, List.copyOf(json.keySet()));
    }

    @Test
    void startLineSaysTheBackendAndPorts() {
        Map<String, Object> start = Json.object(JsonlRenderer.start(Instant.parse("2022-07-10T09:03:54.5Z"), "netlink",
                List.of(11233, 80)));

        assertEquals(List.of("event", "time", "backend", "ports"), List.copyOf(start.keySet()));
        assertEquals("start", start.get("event"));
        assertEquals("2022-07-10T09:03:54.500Z", start.get("time"));
        assertEquals("netlink", start.get("backend"));
        assertEquals(List.of(11233, 80), start.get("ports"));
    }
}
