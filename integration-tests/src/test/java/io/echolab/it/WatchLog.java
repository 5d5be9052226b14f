package io.echolab.it;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The state-watcher's {@code --format jsonl} output, read back: one event per change, grouped by connection. */
final class WatchLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One line of the watcher's jsonl. */
    record Event(Instant time, String event, String local, String remote, String state, String previous,
                 Long previousMs, String timer, Long timerMs, long rxQueue, long txQueue) {

        int localPort() {
            return port(local);
        }

        int remotePort() {
            return port(remote);
        }

        private static int port(String hostPort) {
            return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        }
    }

    /** One connection's events, in order. */
    record Connection(String local, String remote, List<Event> events) {

        /** The states it went through, in order (CLOSED last once its row has vanished). */
        List<String> states() {
            return events.stream().map(Event::state).toList();
        }

        /** The states after the handshake: SYN_SENT and SYN_RECV last microseconds, a poll sees them by chance. */
        List<String> afterHandshake() {
            return states().stream().filter(s -> !s.equals("SYN_SENT") && !s.equals("SYN_RECV")).toList();
        }

        /** The states a poll is sure to see: after the handshake, without FIN_WAIT1 and LAST_ACK (microseconds to 40 ms). */
        List<String> pollableStates() {
            return afterHandshake().stream().filter(s -> !s.equals("FIN_WAIT1") && !s.equals("LAST_ACK")).toList();
        }

        /** The event that entered this state. */
        Optional<Event> entered(String state) {
            return events.stream().filter(e -> e.state().equals(state)).findFirst();
        }

        /** How long the state lasted, as the watcher measured it when the next state (or no row) came. */
        Optional<Duration> lasted(String state) {
            for (int i = 0; i < events.size() - 1; i++) {
                if (events.get(i).state().equals(state) && events.get(i + 1).previousMs() != null) {
                    return Optional.of(Duration.ofMillis(events.get(i + 1).previousMs()));
                }
            }
            return Optional.empty();
        }

        boolean gone() {
            return events.get(events.size() - 1).event().equals("gone");
        }

        String describe() {
            StringBuilder text = new StringBuilder(local + " -> " + remote + "\n");
            events.forEach(e -> text.append("  ").append(e).append('\n'));
            return text.toString();
        }
    }

    private final List<Event> events;

    private WatchLog(List<Event> events) {
        this.events = List.copyOf(events);
    }

    /**
     * Parses whole lines; a last line still being written (no newline yet) waits for the next read. The first
     * line, which says how the watcher watches ({@code "event":"start"}), is no change.
     */
    static WatchLog parse(String jsonl) {
        List<Event> events = new ArrayList<>();
        int end = jsonl.lastIndexOf('\n');
        for (String line : jsonl.substring(0, end + 1).split("\n")) {
            if (!line.isBlank() && !line.startsWith("{\"event\":\"start\"")) {
                events.add(event(line));
            }
        }
        return new WatchLog(events);
    }

    private static Event event(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            return new Event(Instant.parse(n.get("time").asText()), n.get("event").asText(), n.get("local").asText(),
                    n.get("remote").asText(), n.get("state").asText(), text(n, "previous"), number(n, "previous_ms"),
                    text(n, "timer"), number(n, "timer_ms"), n.path("rx_queue").asLong(), n.path("tx_queue").asLong());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("the watcher wrote a line that is not JSON: " + line, e);
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Long number(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asLong() : null;
    }

    List<Event> events() {
        return events;
    }

    /** Every connection, in the order first seen; a 4-tuple that comes back after vanishing is a new one. */
    List<Connection> connections() {
        Map<String, List<Event>> live = new HashMap<>();
        List<List<Event>> inOrder = new ArrayList<>();
        for (Event e : events) {
            String key = e.local() + " " + e.remote();
            List<Event> connection = live.computeIfAbsent(key, k -> {
                List<Event> fresh = new ArrayList<>();
                inOrder.add(fresh);
                return fresh;
            });
            connection.add(e);
            if (e.event().equals("gone")) {
                live.remove(key);
            }
        }
        return inOrder.stream().map(c -> new Connection(c.get(0).local(), c.get(0).remote(), c)).toList();
    }

    List<Connection> connections(Predicate<Connection> which) {
        return connections().stream().filter(which).toList();
    }

    /** The listener on {@code port}. */
    Optional<Connection> listener(int port) {
        return connections(c -> c.events().get(0).localPort() == port && c.events().get(0).remotePort() == 0)
                .stream().findFirst();
    }

    /** The first client connection to {@code port} (remote port = port). */
    Optional<Connection> clientSide(int port) {
        return connections(c -> c.events().get(0).remotePort() == port).stream().findFirst();
    }

    /** The first accepted connection on {@code port} (local port = port, a real remote). */
    Optional<Connection> serverSide(int port) {
        return connections(c -> c.events().get(0).localPort() == port && c.events().get(0).remotePort() != 0)
                .stream().findFirst();
    }

    /** Whether any connection was ever seen in this state. */
    boolean anyIn(String state) {
        return events.stream().anyMatch(e -> e.state().equals(state));
    }

    /** The most rows in {@code state} at once, replaying the changes in order. */
    int maxAtOnce(String state) {
        Map<String, String> now = new LinkedHashMap<>();
        int max = 0;
        for (Event e : events) {
            now.put(e.local() + " " + e.remote(), e.state());
            max = Math.max(max, (int) now.values().stream().filter(state::equals).count());
        }
        return max;
    }

    String describe() {
        StringBuilder text = new StringBuilder();
        connections().forEach(c -> text.append(c.describe()));
        return text.toString();
    }
}
