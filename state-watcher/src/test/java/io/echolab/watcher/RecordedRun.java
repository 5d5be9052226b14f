package io.echolab.watcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;

/**
 * A real run's {@code --format jsonl}, recorded in src/test/resources/jsonl (see its README), read back with
 * Jackson into the watcher's own Timeline, as if the run were watched again.
 */
public final class RecordedRun {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordedRun() {
    }

    /** The connections of the recorded run {@code name}. */
    public static List<Connection> timeline(String name) throws IOException {
        String text;
        try (InputStream in = RecordedRun.class.getResourceAsStream("/jsonl/" + name)) {
            if (in == null) {
                throw new IOException("no recorded run /jsonl/" + name);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<ConnectionKey, Owner> owners = new HashMap<>();
        Timeline timeline = new Timeline(key -> Optional.ofNullable(owners.get(key)));
        for (String line : text.split("\n")) {
            JsonNode n = JSON.readTree(line);
            if (n.path("event").asText().equals("start")) {
                continue;
            }
            StateChange change = change(n);
            if (n.hasNonNull("pid")) {
                owners.put(change.key(), new Owner(n.get("pid").asLong(), n.get("command").asText(), n.get("fd").asInt()));
            }
            timeline.onChanges(change.time(), List.of(change), List.of());
        }
        return timeline.connections();
    }

    private static StateChange change(JsonNode n) throws IOException {
        String proto = n.get("proto").asText();
        ConnectionKey key = new ConnectionKey(proto, address(n.get("local").asText()), address(n.get("remote").asText()));
        boolean gone = n.get("event").asText().equals("gone");
        TcpState state = gone ? null : TcpState.valueOf(n.get("state").asText());
        TcpState previous = n.hasNonNull("previous") ? TcpState.valueOf(n.get("previous").asText()) : null;
        Duration inPrevious = n.hasNonNull("previous_us") ? Duration.ofNanos(n.get("previous_us").asLong() * 1_000) : null;
        TcpSocket row = gone ? null : new TcpSocket(proto, key.local(), key.remote(), state, n.get("tx_queue").asLong(),
                n.get("rx_queue").asLong(), timer(n.get("timer").asText()), Duration.ofMillis(n.get("timer_ms").asLong()),
                n.get("retransmits").asInt(), n.get("probes").asInt(), (int) n.get("uid").asLong(), n.get("inode").asLong(), 0);
        return new StateChange(Instant.parse(n.get("time").asText()), key, state, previous, inPrevious,
                n.get("previous_start_seen").asBoolean(), row, n.get("initial").asBoolean());
    }

    private static TimerKind timer(String name) throws IOException {
        for (TimerKind kind : TimerKind.values()) {
            if (kind.jsonName().equals(name)) {
                return kind;
            }
        }
        throw new IOException("not a timer: " + name);
    }

    private static InetSocketAddress address(String text) throws IOException {
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(text.substring(colon + 1)));
    }
}
