package io.echolab.watcher.model;

import java.util.Locale;

/**
 * The kernel's TCP states (include/net/tcp_states.h), as the {@code st} column of /proc/net/tcp shows them
 * in hex, each with the name Linux net-tools netstat prints for it.
 */
public enum TcpState {

    ESTABLISHED(0x01, "ESTABLISHED"),   // TCP_ESTABLISHED
    SYN_SENT(0x02, "SYN_SENT"),         // TCP_SYN_SENT
    SYN_RECV(0x03, "SYN_RECV"),         // TCP_SYN_RECV; /proc prints a pending request (NEW_SYN_RECV) as 03 too
    FIN_WAIT1(0x04, "FIN_WAIT1"),       // TCP_FIN_WAIT1
    FIN_WAIT2(0x05, "FIN_WAIT2"),       // TCP_FIN_WAIT2; an orphaned one is a time-wait socket with timer 3
    TIME_WAIT(0x06, "TIME_WAIT"),       // TCP_TIME_WAIT
    CLOSE(0x07, "CLOSE"),               // TCP_CLOSE
    CLOSE_WAIT(0x08, "CLOSE_WAIT"),     // TCP_CLOSE_WAIT
    LAST_ACK(0x09, "LAST_ACK"),         // TCP_LAST_ACK
    LISTEN(0x0A, "LISTEN"),             // TCP_LISTEN
    CLOSING(0x0B, "CLOSING"),           // TCP_CLOSING
    NEW_SYN_RECV(0x0C, "NEW_SYN_RECV"); // TCP_NEW_SYN_RECV: never in /proc (see SYN_RECV); net-tools has no name for it

    private final int procCode;
    private final String netstatName;

    TcpState(int procCode, String netstatName) {
        this.procCode = procCode;
        this.netstatName = netstatName;
    }

    /**
     * The state with this code.
     *
     * @throws IllegalArgumentException for a code the kernel does not define
     */
    public static TcpState fromProcCode(int code) {
        for (TcpState state : values()) {
            if (state.procCode == code) {
                return state;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "unknown TCP state 0x%02X", code));
    }

    /** The code in the {@code st} column. */
    public int procCode() {
        return procCode;
    }

    /** The name as {@code netstat -ant} prints it: {@code FIN_WAIT2}, not ss's {@code FIN-WAIT-2}. */
    public String netstatName() {
        return netstatName;
    }
}
