package io.echolab.watcher.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The state codes of include/net/tcp_states.h and the names of net-tools' tcp_state[] table. */
class TcpStateTest {

    @Test
    void codesAndNetstatNamesFollowTheKernelAndNetTools() {
        // LAB.md's list of st codes; names as net-tools netstat.c spells them.
        Map<Integer, String> expected = new LinkedHashMap<>();
        expected.put(0x01, "ESTABLISHED");
        expected.put(0x02, "SYN_SENT");
        expected.put(0x03, "SYN_RECV");
        expected.put(0x04, "FIN_WAIT1");
        expected.put(0x05, "FIN_WAIT2");
        expected.put(0x06, "TIME_WAIT");
        expected.put(0x07, "CLOSE");
        expected.put(0x08, "CLOSE_WAIT");
        expected.put(0x09, "LAST_ACK");
        expected.put(0x0A, "LISTEN");
        expected.put(0x0B, "CLOSING");
        expected.put(0x0C, "NEW_SYN_RECV");

        expected.forEach((code, name) -> assertEquals(name, TcpState.fromProcCode(code).netstatName(), "code " + code));
        assertEquals(expected.size(), TcpState.values().length, "no state without a kernel code");
    }

    @Test
    void unknownCodesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> TcpState.fromProcCode(0));
        assertThrows(IllegalArgumentException.class, () -> TcpState.fromProcCode(0x0D));
    }

    @Test
    void timerCodesAndJsonNames() {
        assertEquals(TimerKind.OFF, TimerKind.fromProcCode(0));
        assertEquals("retransmit", TimerKind.fromProcCode(1).jsonName());
        assertEquals("keepalive", TimerKind.fromProcCode(2).jsonName());
        assertEquals("timewait", TimerKind.fromProcCode(3).jsonName());
        assertEquals("probe", TimerKind.fromProcCode(4).jsonName());
        assertThrows(IllegalArgumentException.class, () -> TimerKind.fromProcCode(5));
    }
}
