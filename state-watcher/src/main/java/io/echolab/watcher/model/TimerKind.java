package io.echolab.watcher.model;

/** The timer a socket has running, from the {@code tr} column of /proc/net/tcp (tcp_ipv4.c, get_tcp4_sock). */
public enum TimerKind {

    OFF(0, "off"),
    RETRANSMIT(1, "retransmit"),     // ICSK_TIME_RETRANS, also the loss-probe and reordering timers
    KEEPALIVE(2, "keepalive"),       // sk_timer: keepalive, and the FIN_WAIT2 timer of a full socket
    TIME_WAIT(3, "timewait"),        // a time-wait socket: TIME_WAIT, or an orphaned FIN_WAIT2
    ZERO_WINDOW_PROBE(4, "probe");   // ICSK_TIME_PROBE0: the peer advertised a zero window

    private final int procCode;
    private final String jsonName;

    TimerKind(int procCode, String jsonName) {
        this.procCode = procCode;
        this.jsonName = jsonName;
    }

    /**
     * The timer with this code.
     *
     * @throws IllegalArgumentException for a code the kernel does not print
     */
    public static TimerKind fromProcCode(int code) {
        for (TimerKind kind : values()) {
            if (kind.procCode == code) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown timer " + code);
    }

    /** The code in the {@code tr} column. */
    public int procCode() {
        return procCode;
    }

    /** A short lowercase name for JSON: off, retransmit, keepalive, timewait, probe. */
    public String jsonName() {
        return jsonName;
    }
}
