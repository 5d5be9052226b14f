package io.echolab.watcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.echolab.watcher.MiniJson;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;

/** The jsonl schema on constructed changes, read back with a strict JSON reader. */
class JsonlRendererTest {

    private static final List<String> FIELDS = List.of("time", "event", "proto", "local", "remote", "state",
            "previous", "previous_ms", "previous_start_seen", "initial", "timer", "timer_ms", "retransmits",
            "tx_queue", "rx_queue", "uid", "inode");

    private static TcpSocket row(TcpState state, TimerKind timer, Duration left, long inode) throws IOException {
        return new TcpSocket("tcp6", new InetSocketAddress(InetAddress.getByName("::1"), 58332),
                new InetSocketAddress(InetAddress.getByName("::1"), 11233), state, 1, 2, timer, left, 3, -2, inode);
    }

    @Test
    void changeHasEveryField() throws IOException {
        TcpSocket timeWait = row(TcpState.TIME_WAIT, TimerKind.TIME_WAIT, Duration.ofMillis(59_990), 0);
        StateChange change = new StateChange(Instant.parse("2022-07-10T09:04:05.625Z"), ConnectionKey.of(timeWait),
                TcpState.TIME_WAIT, TcpState.FIN_WAIT2, Duration.ofMillis(10_002), true, timeWait, false);

        Map<String, Object> json = MiniJson.parseObject(JsonlRenderer.line(change));

        assertEquals(FIELDS, List.copyOf(json.keySet()), "every field, in the documented order");
        assertEquals("2022-07-10T09:04:05.625Z", json.get("time"));
        assertEquals("change", json.get("event"));
        assertEquals("tcp6", json.get("proto"));
        assertEquals("[::1]:58332", json.get("local"));
        assertEquals("[::1]:11233", json.get("remote"));
        assertEquals("TIME_WAIT", json.get("state"));
        assertEquals("FIN_WAIT2", json.get("previous"));
        assertEquals(new BigDecimal(10_002), json.get("previous_ms"));
        assertEquals(true, json.get("previous_start_seen"));
        assertEquals(false, json.get("initial"));
        assertEquals("timewait", json.get("timer"));
        assertEquals(new BigDecimal(59_990), json.get("timer_ms"));
        assertEquals(new BigDecimal(3), json.get("retransmits"));
        assertEquals(new BigDecimal(1), json.get("tx_queue"));
        assertEquals(new BigDecimal(2), json.get("rx_queue"));
        assertEquals(new BigDecimal(4_294_967_294L), json.get("uid"), "uid -2 as int is uid_t 4294967294");
        assertEquals(new BigDecimal(0), json.get("inode"));
    }

    @Test
    void newAndGoneUseNulls() throws IOException {
        TcpSocket established = row(TcpState.ESTABLISHED, TimerKind.OFF, Duration.ZERO, 4242);
        Instant time = Instant.parse("2022-07-10T09:03:54Z");

        Map<String, Object> appeared = MiniJson.parseObject(JsonlRenderer.line(StateChange.appeared(time, established, true)));
        Map<String, Object> gone = MiniJson.parseObject(JsonlRenderer.line(new StateChange(time,
                ConnectionKey.of(established), null, TcpState.TIME_WAIT, Duration.ofSeconds(60), true, null, false)));

        assertEquals("new", appeared.get("event"));
        assertEquals("2022-07-10T09:03:54.000Z", appeared.get("time"), "milliseconds always shown");
        assertNull(appeared.get("previous"));
        assertNull(appeared.get("previous_ms"));
        assertEquals(false, appeared.get("previous_start_seen"));
        assertEquals(true, appeared.get("initial"));
        assertEquals(new BigDecimal(4242), appeared.get("inode"));
        assertEquals(FIELDS, List.copyOf(gone.keySet()));
        assertEquals("gone", gone.get("event"));
        assertEquals("CLOSED", gone.get("state"));
        assertEquals("TIME_WAIT", gone.get("previous"));
        assertEquals(new BigDecimal(60_000), gone.get("previous_ms"));
        for (String field : List.of("timer", "timer_ms", "retransmits", "tx_queue", "rx_queue", "uid", "inode")) {
            assertNull(gone.get(field), field + " has no row to come from");
        }
    }

    @Test
    void quoteEscapesWhatJsonRequires() {
        assertEquals("\"plain\"", JsonlRenderer.quote("plain"));
        assertEquals("\"a\\\"b\\\\c\"", JsonlRenderer.quote("a\"b\\c"));
        assertEquals("\"\\n\\r\\t\\b\\f\\u0000\\u001f\"", JsonlRenderer.quote("\n\r\t\b\f\u0000\u001f"));
        assertEquals("\"\\u2028\\u2029\"", JsonlRenderer.quote("\u2028\u2029"));
        assertEquals("\"caf\u00e9 \u6d4b\u8bd5 /\"", JsonlRenderer.quote("caf\u00e9 \u6d4b\u8bd5 /"), "other text is kept");
    }

    @Test
    void quotedStringsReadBackUnchanged() {
        String nasty = "q\"b\\s\u0001\n\u007f\u2028\u00e9";

        Map<String, Object> json = MiniJson.parseObject("{\"v\":" + JsonlRenderer.quote(nasty) + "}");

        assertEquals(nasty, json.get("v"));
    }
}
