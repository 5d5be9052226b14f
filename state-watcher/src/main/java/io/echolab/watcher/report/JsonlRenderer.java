package io.echolab.watcher.report;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.echolab.watcher.model.CloseWaitAlert;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;

/**
 * One JSON object per change, on one line, for jq and for tests: every {@link ChangeField}, in order, with
 * null for those that do not apply. Written through Jackson's streaming generator, which escapes what JSON
 * needs escaped (RFC 8259).
 *
 * <p>The first line says how the watcher watches: {@code {"event":"start","time":...,"backend":"netlink","ports":[11233]}}.
 * With {@code --alert-close-wait}, an {@code {"event":"alert",...}} line comes among the changes (see {@link #alert}).
 */
public final class JsonlRenderer {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private JsonlRenderer() {
    }

    /** The first line: when watching began, with which backend, and which ports (empty: all). */
    public static String start(Instant time, String backend, List<Integer> ports) {
        return write(json -> {
            json.writeStringField("event", "start");
            json.writeStringField("time", ChangeField.time(time, false));
            json.writeStringField("backend", backend);
            json.writeArrayFieldStart("ports");
            for (int port : ports) {
                json.writeNumber(port);
            }
            json.writeEndArray();
        });
    }

    /** The change as one line of JSON, without the newline; times in microseconds when {@code micros}. */
    public static String line(StateChange change, boolean micros, Optional<Owner> owner) {
        ChangeField.Change fields = new ChangeField.Change(change, micros, owner);
        return write(json -> {
            for (ChangeField field : ChangeField.values()) {
                json.writeFieldName(field.fieldName());
                Object value = field.of(fields);
                if (value == null) {
                    json.writeNull();
                } else if (value instanceof String text) {
                    json.writeString(text);
                } else if (value instanceof Long number) {
                    json.writeNumber(number);
                } else if (value instanceof Boolean flag) {
                    json.writeBoolean(flag);
                } else {
                    throw new IllegalStateException(field + " has a value of " + value.getClass());
                }
            }
        });
    }

    /**
     * A CLOSE_WAIT alert as one line: {@code {"event":"alert","time":...,"alert":"close_wait","proto":...,"local":...,
     * "remote":...,"state":"CLOSE_WAIT","since":...,"since_seen":true,"age_ms":5002,"threshold_ms":5000,"pid":...,
     * "command":...,"fd":...}}; {@code since_seen} is false when the socket was in CLOSE_WAIT before watching
     * began (then {@code age_ms} is a lower bound); the owner's fields are null when it could not be found.
     */
    public static String alert(CloseWaitAlert alert, boolean micros) {
        return write(json -> {
            json.writeStringField("event", "alert");
            json.writeStringField("time", ChangeField.time(alert.time(), micros));
            json.writeStringField("alert", "close_wait");
            json.writeStringField("proto", alert.key().proto());
            json.writeStringField("local", AddressText.hostPort(alert.key().local()));
            json.writeStringField("remote", AddressText.hostPort(alert.key().remote()));
            json.writeStringField("state", "CLOSE_WAIT");
            json.writeStringField("since", ChangeField.time(alert.since(), micros));
            json.writeBooleanField("since_seen", alert.sinceSeen());
            json.writeNumberField("age_ms", alert.age().toMillis());
            json.writeNumberField("threshold_ms", alert.threshold().toMillis());
            Optional<Owner> owner = alert.owner();
            if (owner.isPresent()) {
                json.writeNumberField("pid", owner.get().pid());
                json.writeStringField("command", owner.get().command());
                json.writeNumberField("fd", owner.get().fd());
            } else {
                json.writeNullField("pid");
                json.writeNullField("command");
                json.writeNullField("fd");
            }
        });
    }

    /** The members written by {@code members}. */
    private interface Members {
        void write(JsonGenerator json) throws IOException;
    }

    private static String write(Members members) {
        StringWriter text = new StringWriter(400);
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            members.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string", e); // a StringWriter does not fail
        }
        return text.toString();
    }
}
