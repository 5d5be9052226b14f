package io.echolab.watcher.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import io.echolab.watcher.model.CloseWaitAlert;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;

/**
 * One JSON object per change, on one line, for jq and for tests. Every object has every field, in this
 * order; fields that do not apply are null:
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
 *
 * <p>The first line says how the watcher watches: {@code {"event":"start","time":...,"backend":"netlink","ports":[11233]}}.
 * With {@code --alert-close-wait}, an {@code {"event":"alert",...}} line comes among the changes (see {@link #alert}).
 */
public final class JsonlRenderer {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME_MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private JsonlRenderer() {
    }

    /** The first line: when watching began, with which backend, and which ports (empty: all). */
    public static String start(Instant time, String backend, List<Integer> ports) {
        StringBuilder json = new StringBuilder(120).append('{');
        field(json, "event", quote("start"));
        field(json, "time", quote(time(time, false)));
        field(json, "backend", quote(backend));
        field(json, "ports", ports.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")));
        json.setLength(json.length() - 1);
        return json.append('}').toString();
    }

    /** The change as one line of JSON, without the newline; times in microseconds when {@code micros}. */
    public static String line(StateChange change, boolean micros, Optional<Owner> owner) {
        TcpSocket row = change.row();
        StringBuilder json = new StringBuilder(400).append('{');
        field(json, "time", quote(time(change.time(), micros)));
        field(json, "event", quote(change.kind().name().toLowerCase(Locale.ROOT)));
        field(json, "proto", quote(change.key().proto()));
        field(json, "local", quote(AddressText.hostPort(change.key().local())));
        field(json, "remote", quote(AddressText.hostPort(change.key().remote())));
        field(json, "state", quote(change.gone() ? "CLOSED" : change.state().netstatName()));
        field(json, "previous", change.previous() == null ? "null" : quote(change.previous().netstatName()));
        field(json, "previous_ms", millis(change.timeInPrevious()));
        field(json, "previous_us", change.timeInPrevious() == null ? "null"
                : Long.toString(change.timeInPrevious().toNanos() / 1_000));
        field(json, "previous_start_seen", Boolean.toString(change.previousStartSeen()));
        field(json, "initial", Boolean.toString(change.initial()));
        field(json, "timer", row == null ? "null" : quote(row.timer().jsonName()));
        field(json, "timer_ms", row == null ? "null" : millis(row.timerRemaining()));
        field(json, "retransmits", row == null ? "null" : Integer.toString(row.retransmits()));
        field(json, "probes", row == null ? "null" : Integer.toString(row.probes()));
        field(json, "tx_queue", row == null ? "null" : Long.toString(row.txQueue()));
        field(json, "rx_queue", row == null ? "null" : Long.toString(row.rxQueue()));
        field(json, "uid", row == null ? "null" : Long.toString(Integer.toUnsignedLong(row.uid())));
        field(json, "inode", row == null ? "null" : Long.toString(row.inode()));
        field(json, "pid", owner.map(o -> Long.toString(o.pid())).orElse("null"));
        field(json, "command", owner.map(o -> quote(o.command())).orElse("null"));
        field(json, "fd", owner.map(o -> Integer.toString(o.fd())).orElse("null"));
        json.setLength(json.length() - 1);
        return json.append('}').toString();
    }

    /**
     * A CLOSE_WAIT alert as one line: {@code {"event":"alert","time":...,"alert":"close_wait","proto":...,"local":...,
     * "remote":...,"state":"CLOSE_WAIT","since":...,"since_seen":true,"age_ms":5002,"threshold_ms":5000,"pid":...,
     * "command":...,"fd":...}}; {@code since_seen} is false when the socket was in CLOSE_WAIT before watching
     * began (then {@code age_ms} is a lower bound); the owner's fields are null when it could not be found.
     */
    public static String alert(CloseWaitAlert alert, boolean micros) {
        StringBuilder json = new StringBuilder(300).append('{');
        field(json, "event", quote("alert"));
        field(json, "time", quote(time(alert.time(), micros)));
        field(json, "alert", quote("close_wait"));
        field(json, "proto", quote(alert.key().proto()));
        field(json, "local", quote(AddressText.hostPort(alert.key().local())));
        field(json, "remote", quote(AddressText.hostPort(alert.key().remote())));
        field(json, "state", quote("CLOSE_WAIT"));
        field(json, "since", quote(time(alert.since(), micros)));
        field(json, "since_seen", Boolean.toString(alert.sinceSeen()));
        field(json, "age_ms", millis(alert.age()));
        field(json, "threshold_ms", millis(alert.threshold()));
        field(json, "pid", alert.owner().map(o -> Long.toString(o.pid())).orElse("null"));
        field(json, "command", alert.owner().map(o -> quote(o.command())).orElse("null"));
        field(json, "fd", alert.owner().map(o -> Integer.toString(o.fd())).orElse("null"));
        json.setLength(json.length() - 1);
        return json.append('}').toString();
    }

    static String time(Instant time, boolean micros) {
        return (micros ? TIME_MICROS : TIME).format(time);
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259, section 7). */
    static String quote(String text) {
        StringBuilder json = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    // Also U+2028 and U+2029, which JavaScript (JSONP) cannot have raw in a string.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }

    private static String millis(Duration duration) {
        return duration == null ? "null" : Long.toString(duration.toMillis());
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append(quote(name)).append(':').append(value).append(',');
    }
}
