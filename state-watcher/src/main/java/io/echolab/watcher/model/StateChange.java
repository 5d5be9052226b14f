package io.echolab.watcher.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What happened to one connection: it appeared, changed state, or its socket went; or, within a state, its
 * retransmit or probe count changed, or a keepalive, zero-window or time-wait timer came or went (an update:
 * {@code state == previous}).
 *
 * @param state             the state now; null when the row vanished (the kernel freed the socket)
 * @param previous          the state at the poll before; null when the connection is new
 * @param timeInPrevious    how long the previous state was seen, from the poll that first saw it to this
 *                          one; null when new
 * @param previousStartSeen false when the previous state was already there when watching began, so
 *                          {@code timeInPrevious} is only a lower bound
 * @param row               the row now; null when it vanished
 * @param initial           true for a row that was already there at the first poll: its state began
 *                          before watching did
 */
public record StateChange(Instant time, ConnectionKey key, TcpState state, TcpState previous,
        Duration timeInPrevious, boolean previousStartSeen, TcpSocket row, boolean initial) {

    /** The kinds of change, as jsonl's {@code event} names them. */
    public enum Kind { NEW, CHANGE, GONE, UPDATE }

    public StateChange {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(key, "key");
        if ((state == null) != (row == null)) {
            throw new IllegalArgumentException("a row comes with its state, and only a vanished one has neither");
        }
        if ((previous == null) != (timeInPrevious == null)) {
            throw new IllegalArgumentException("a previous state comes with its time");
        }
        if (state == null && previous == null) {
            throw new IllegalArgumentException("a change needs a state, a previous state, or both");
        }
        if (row != null && !key.equals(ConnectionKey.of(row))) {
            throw new IllegalArgumentException("row " + row + " is not connection " + key);
        }
        if (previous == null && previousStartSeen) {
            throw new IllegalArgumentException("a new connection has no previous state to have seen start");
        }
    }

    /** A connection seen for the first time; {@code initial} if this is the first poll. */
    public static StateChange appeared(Instant time, TcpSocket row, boolean initial) {
        return new StateChange(time, ConnectionKey.of(row), row.state(), null, null, false, row, initial);
    }

    /** True when the row vanished. */
    public boolean gone() {
        return state == null;
    }

    /** True when the connection was not there at the poll before. */
    public boolean isNew() {
        return previous == null;
    }

    /** True for an update within a state: same state, new counters or timer. */
    public boolean isUpdate() {
        return state != null && state == previous;
    }

    /** New, a state change, gone, or an update within the state. */
    public Kind kind() {
        return isNew() ? Kind.NEW : gone() ? Kind.GONE : isUpdate() ? Kind.UPDATE : Kind.CHANGE;
    }
}
