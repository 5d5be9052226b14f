package io.echolab.watcher.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;

/**
 * The fields of one change, in order: the members of a jsonl object and the columns of a csv row, so both
 * formats say the same thing under the same names. Each value is a String, a Long, a Boolean, or null when
 * the field does not apply:
 *
 * <pre>
 * time                 "2022-07-10T09:03:55.123Z": the poll that saw it (UTC, milliseconds); with the
 *                      trace backend, the kernel's timestamp of the transition, "...55.123456Z" (microseconds)
 * event                "new", "change" or "gone"; "update" when, within a state, the retransmit or probe count
 *                      changed or a keepalive, zero-window or time-wait timer came or went
 * proto                "tcp" or "tcp6"
 * local, remote        "127.0.0.1:5000", "[::1]:5000"
 * state                the state now, as netstat spells it; "CLOSED" when gone
 * previous             the state before; null when new
 * previous_ms          milliseconds in the previous state; null when new
 * previous_us          the same in microseconds
 * previous_start_seen  false when the previous state was there before watching began (previous_ms is a lower bound)
 * initial              true for the rows already there at the first poll
 * timer                "off", "retransmit", "keepalive", "timewait", "probe"; null when gone
 * timer_ms             the timer's time left; null when gone
 * retransmits, probes, tx_queue, rx_queue, uid, inode   from the row; null when gone
 * pid, command, fd     the process that holds or last held the socket (kept after close(), so a TIME_WAIT
 *                      row still names who closed it); null when it could not be found
 * </pre>
 */
public enum ChangeField {

    TIME("time", c -> time(c.change().time(), c.micros())),
    EVENT("event", c -> c.change().kind().name().toLowerCase(Locale.ROOT)),
    PROTO("proto", c -> c.change().key().proto()),
    LOCAL("local", c -> AddressText.hostPort(c.change().key().local())),
    REMOTE("remote", c -> AddressText.hostPort(c.change().key().remote())),
    STATE("state", c -> c.change().gone() ? "CLOSED" : c.change().state().netstatName()),
    PREVIOUS("previous", c -> c.change().previous() == null ? null : c.change().previous().netstatName()),
    PREVIOUS_MS("previous_ms", c -> millis(c.change().timeInPrevious())),
    PREVIOUS_US("previous_us", c -> c.change().timeInPrevious() == null ? null
            : c.change().timeInPrevious().toNanos() / 1_000),
    PREVIOUS_START_SEEN("previous_start_seen", c -> c.change().previousStartSeen()),
    INITIAL("initial", c -> c.change().initial()),
    TIMER("timer", c -> row(c, row -> row.timer().jsonName())),
    TIMER_MS("timer_ms", c -> row(c, row -> row.timerRemaining().toMillis())),
    RETRANSMITS("retransmits", c -> row(c, row -> (long) row.retransmits())),
    PROBES("probes", c -> row(c, row -> (long) row.probes())),
    TX_QUEUE("tx_queue", c -> row(c, TcpSocket::txQueue)),
    RX_QUEUE("rx_queue", c -> row(c, TcpSocket::rxQueue)),
    UID("uid", c -> row(c, row -> Integer.toUnsignedLong(row.uid()))),
    INODE("inode", c -> row(c, TcpSocket::inode)),
    PID("pid", c -> c.owner().map(Owner::pid).orElse(null)),
    COMMAND("command", c -> c.owner().map(Owner::command).orElse(null)),
    FD("fd", c -> c.owner().map(o -> (long) o.fd()).orElse(null));

    /** One change with what its fields need besides it. */
    public record Change(StateChange change, boolean micros, Optional<Owner> owner) {
    }

    private static final DateTimeFormatter UTC_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter UTC_MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final String fieldName;
    private final Function<Change, Object> value;

    ChangeField(String fieldName, Function<Change, Object> value) {
        this.fieldName = fieldName;
        this.value = value;
    }

    /** The name in jsonl and in csv's header: {@code previous_ms}. */
    public String fieldName() {
        return fieldName;
    }

    /** This field of the change: a String, a Long, a Boolean, or null. */
    public Object of(Change change) {
        return value.apply(change);
    }

    /** UTC, to the millisecond, or to the microsecond when {@code micros}. */
    static String time(Instant time, boolean micros) {
        return (micros ? UTC_MICROS : UTC_MILLIS).format(time);
    }

    private static Long millis(Duration duration) {
        return duration == null ? null : duration.toMillis();
    }

    private static Object row(Change change, Function<TcpSocket, Object> field) {
        TcpSocket row = change.change().row();
        return row == null ? null : field.apply(row);
    }
}
