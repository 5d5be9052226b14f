package io.echolab.it;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.echolab.watcher.Timeline;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;

/**
 * The state-watcher's {@code --format jsonl} read back into a {@link Story}: each line becomes the change it
 * describes, and the watcher's own Timeline puts the changes together, as it does in-process.
 */
final class JsonlStory {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The events that are a connection's changes. */
    private static final Set<String> CHANGES = Set.of("new", "change", "gone", "update");

    private JsonlStory() {
    }

    /** Whole lines only: a last line still being written (no newline yet) waits for the next read. */
    static Story read(String jsonl, int port) {
        Map<ConnectionKey, Owner> owners = new HashMap<>();
        Timeline timeline = new Timeline(key -> Optional.ofNullable(owners.get(key)));
        int end = jsonl.lastIndexOf('\n');
        for (String line : jsonl.substring(0, end + 1).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new AssertionError("the watcher wrote a line that is not JSON: " + line, e);
            }
            if (!CHANGES.contains(n.path("event").asText())) {
                continue; // the start line, an alert: not a change of a connection
            }
            StateChange change = change(n);
            if (n.hasNonNull("pid")) {
                owners.put(change.key(), new Owner(n.get("pid").asLong(), n.get("command").asText(), n.get("fd").asInt()));
            } else if (change.isNew()) {
                owners.remove(change.key());
            }
            timeline.onChanges(change.time(), List.of(change), List.of());
        }
        return new Story(port, timeline.connections());
    }

    private static StateChange change(JsonNode n) {
        Instant time = Instant.parse(n.get("time").asText());
        String proto = n.get("proto").asText();
        ConnectionKey key = new ConnectionKey(proto, address(n.get("local").asText()), address(n.get("remote").asText()));
        boolean gone = n.get("event").asText().equals("gone");
        TcpState state = gone ? null : TcpState.valueOf(n.get("state").asText());
        TcpState previous = n.hasNonNull("previous") ? TcpState.valueOf(n.get("previous").asText()) : null;
        Duration inPrevious = n.hasNonNull("previous_us") ? Duration.ofNanos(n.get("previous_us").asLong() * 1_000) : null;
        TcpSocket row = gone ? null : new TcpSocket(proto, key.local(), key.remote(), state,
                n.get("tx_queue").asLong(), n.get("rx_queue").asLong(), timer(n.get("timer").asText()),
                Duration.ofMillis(n.get("timer_ms").asLong()), n.get("retransmits").asInt(), n.get("probes").asInt(),
                (int) n.get("uid").asLong(), n.get("inode").asLong(), 0);
        return new StateChange(time, key, state, previous, inPrevious, n.get("previous_start_seen").asBoolean(), row,
                n.get("initial").asBoolean());
    }

    private static TimerKind timer(String name) {
        for (TimerKind kind : TimerKind.values()) {
            if (kind.jsonName().equals(name)) {
                return kind;
            }
        }
        throw new AssertionError("the watcher wrote an unknown timer: " + name);
    }

    /** {@code 127.0.0.1:5000} or {@code [::1]:5000}. */
    private static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(text.substring(colon + 1)));
        } catch (UnknownHostException e) {
            throw new AssertionError("the watcher wrote an address that is not one: " + text, e);
        }
    }
}
