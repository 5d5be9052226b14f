package io.echolab.watcher.report;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;

/**
 * One JSON object per change, on one line, for jq and for tests: every {@link ChangeField}, in order, with
 * null for those that do not apply. Written through Jackson's streaming generator, which escapes what JSON
 * needs escaped (RFC 8259).
 *
 * <p>The first line says how the watcher watches: {@code {"event":"start","time":...,"backend":"netlink","ports":[11233]}}.
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
