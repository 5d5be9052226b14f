package io.echolab.watcher.report;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpPacket;
import io.echolab.watcher.model.TcpPacket.Flag;
import io.echolab.watcher.model.TcpState;

/**
 * The four-way close as a ladder diagram (--ladder): for each connection, the client's and the server's kernel
 * states down two columns, and between them, as arrows, the packets that moved them (SYN, SYN-ACK, ACK, data
 * with its length, FIN, RST), each with its time. Events go down in time order, one row each, rather than to
 * scale (a handshake of microseconds and a TIME_WAIT of a minute share the page); a long wait between two
 * events is a row of its own saying how long it was. The two ends of a connection are the Timeline's two
 * connections of the same addresses and ports, reversed.
 */
public final class LadderSvg {

    /** More connections than this are left out, and the picture says how many. */
    public static final int MAX_LADDERS = 12;

    static final double WIDTH = 1100;
    static final double TIME_RIGHT = 128;
    static final double CLIENT_BAR = 322;
    static final double SERVER_BAR = 764;
    static final double BAR = 14;
    static final double ROW = 30;
    static final double GAP_ROW = 40;
    /** A wait longer than this between two events gets a row saying so. */
    static final Duration GAP = Duration.ofMillis(100);

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

    /**
     * What the capture gave: the packets, and a line saying where they came from or why there are none.
     *
     * @param captured false when no packet could be captured (the note says why)
     */
    public record Capture(boolean captured, List<TcpPacket> packets, String note) {
        public Capture {
            packets = List.copyOf(packets);
            Objects.requireNonNull(note, "note");
        }

        /** No packets, and why. */
        public static Capture none(String why) {
            return new Capture(false, List.of(), why);
        }
    }

    /** The two ends of one connection: either may be missing (not watched, or never seen by a poll). */
    record Pair(InetSocketAddress clientEnd, InetSocketAddress serverEnd, Connection client, Connection server,
            List<TcpPacket> packets) {
    }

    /** One row: a state an end entered (with how long it lasted, if it ended), an end's socket freed, or a packet. */
    private record Event(Instant time, String side, TcpState state, boolean gone, boolean startSeen, Duration lasted,
            TcpPacket packet) {
    }

    private LadderSvg() {
    }

    /**
     * @param connections the Timeline's connections, in the order first seen
     * @param ports       the watched ports: the end with one of them is the server
     * @param end         when watching ended
     * @param subject     what was watched, e.g. {@code port 11233}
     * @param source      where the states came from
     */
    public static String render(List<Connection> connections, Set<Integer> ports, Capture capture, Instant end,
            ZoneId zone, String subject, String source) {
        List<Pair> pairs = pairs(connections, ports, capture.packets());
        List<Pair> drawn = pairs.size() > MAX_LADDERS ? pairs.subList(0, MAX_LADDERS) : pairs;
        List<List<Event>> ladders = drawn.stream().map(LadderSvg::events).toList();
        double height = 104;
        for (List<Event> events : ladders) {
            height += ladderHeight(events);
        }
        if (drawn.isEmpty()) {
            height += 60;
        }
        Svg svg = new Svg(WIDTH, height, "Ladder diagrams of " + subject);
        svg.text(20, 32, "How each connection on " + subject + " opened and closed", "font-size", "20",
                "font-weight", "bold", "class", "heading");
        svg.text(20, 54, "States from " + source + "; down the page in time order, not to scale.", "font-size", "13",
                "fill", "#444444", "class", "subheading");
        svg.text(20, 74, capture.captured() ? "Packets " + capture.note() : "Packets were not captured: " + capture.note()
                + ". States only.", "font-size", "13", "fill", capture.captured() ? "#444444" : "#b00000",
                "font-weight", capture.captured() ? "normal" : "bold", "class", "capture-note",
                "data-captured", Boolean.toString(capture.captured()));
        if (pairs.size() > drawn.size()) {
            svg.text(20, 92, "The first " + drawn.size() + " of " + pairs.size() + " connections; the rest are left out.",
                    "font-size", "12", "fill", "#444444");
        }
        double top = 104;
        if (drawn.isEmpty()) {
            svg.text(20, top + 30, "No connection on " + subject + " was seen.", "font-size", "14", "class", "empty");
        }
        for (int i = 0; i < drawn.size(); i++) {
            top = ladder(svg, drawn.get(i), ladders.get(i), top, end, zone);
        }
        return svg.finish();
    }

    /** Each connection's two ends, and the packets between them, in the order first seen. */
    static List<Pair> pairs(List<Connection> connections, Set<Integer> ports, List<TcpPacket> packets) {
        // Group the ends by their two addresses, either way round
        Map<Set<InetSocketAddress>, List<Connection>> byEnds = new LinkedHashMap<>();
        for (Connection connection : connections) {
            if (connection.key().remote().getPort() == 0) {
                continue; // a listener
            }
            byEnds.computeIfAbsent(Set.of(connection.key().local(), connection.key().remote()), k -> new ArrayList<>())
                    .add(connection);
        }
        Map<Set<InetSocketAddress>, List<TcpPacket>> packetsByEnds = new LinkedHashMap<>();
        for (TcpPacket packet : packets) {
            Set<InetSocketAddress> ends = Set.of(packet.source(), packet.destination());
            packetsByEnds.computeIfAbsent(ends, k -> new ArrayList<>()).add(packet);
            byEnds.computeIfAbsent(ends, k -> new ArrayList<>()); // seen only as packets (too short for a poll)
        }
        List<Pair> pairs = new ArrayList<>();
        byEnds.forEach((ends, group) -> {
            List<TcpPacket> between = packetsByEnds.getOrDefault(ends, List.of());
            InetSocketAddress server = serverEnd(ends, group, between, ports);
            InetSocketAddress client = ends.stream().filter(e -> !e.equals(server)).findFirst().orElseThrow();
            List<Connection> clients = group.stream().filter(c -> c.key().local().equals(client)).toList();
            List<Connection> servers = group.stream().filter(c -> c.key().local().equals(server)).toList();
            List<List<TcpPacket>> conversations = conversations(between);
            int instances = Math.max(Math.max(clients.size(), servers.size()), group.isEmpty() ? conversations.size() : 0);
            for (int i = 0; i < instances; i++) {
                Connection c = i < clients.size() ? clients.get(i) : null;
                Connection s = i < servers.size() ? servers.get(i) : null;
                List<TcpPacket> mine = conversations.size() == instances ? conversations.get(i)
                        : i == 0 ? between : List.of();
                pairs.add(new Pair(client, server, c, s, mine));
            }
        });
        pairs.sort(Comparator.comparing(LadderSvg::firstTime));
        return pairs;
    }

    private static Instant firstTime(Pair pair) {
        List<Instant> times = new ArrayList<>();
        if (pair.client() != null) {
            times.add(pair.client().phases().get(0).start());
        }
        if (pair.server() != null) {
            times.add(pair.server().phases().get(0).start());
        }
        if (!pair.packets().isEmpty()) {
            times.add(pair.packets().get(0).time());
        }
        return times.stream().min(Instant::compareTo).orElse(Instant.MAX);
    }

    /** The server's end: the one with a watched port, else the one that answered a SYN or passed SYN_RECV. */
    private static InetSocketAddress serverEnd(Set<InetSocketAddress> ends, List<Connection> group,
            List<TcpPacket> packets, Set<Integer> ports) {
        List<InetSocketAddress> both = ends.stream().sorted(Comparator.comparingInt(InetSocketAddress::getPort)).toList();
        for (InetSocketAddress end : both) {
            if (ports.contains(end.getPort()) && !ports.contains(otherOf(both, end).getPort())) {
                return end;
            }
        }
        for (TcpPacket packet : packets) {
            if (packet.has(Flag.SYN)) {
                return packet.has(Flag.ACK) ? packet.source() : packet.destination();
            }
        }
        for (Connection connection : group) {
            if (connection.states().contains(TcpState.SYN_SENT)) {
                return connection.key().remote();
            }
            if (connection.states().contains(TcpState.SYN_RECV)) {
                return connection.key().local();
            }
        }
        return both.get(0); // no clue: the lower port, as a server's usually is
    }

    private static InetSocketAddress otherOf(List<InetSocketAddress> both, InetSocketAddress one) {
        return both.get(0).equals(one) ? both.get(1) : both.get(0);
    }

    /** The packets split at each new SYN: one list per connection that reused the same addresses and ports. */
    private static List<List<TcpPacket>> conversations(List<TcpPacket> packets) {
        List<List<TcpPacket>> conversations = new ArrayList<>();
        List<TcpPacket> current = null;
        Long synSeq = null;
        for (TcpPacket packet : packets) {
            boolean newSyn = packet.flags().contains(Flag.SYN) && !packet.has(Flag.ACK)
                    && (synSeq == null || synSeq != packet.seq());
            if (current == null || newSyn && current.stream().anyMatch(p -> !p.has(Flag.SYN))) {
                current = new ArrayList<>();
                conversations.add(current);
            }
            if (newSyn) {
                synSeq = packet.seq();
            }
            current.add(packet);
        }
        return conversations;
    }

    /** The ladder's rows: each state of each end, each end's disappearance, each packet; in time order. */
    private static List<Event> events(Pair pair) {
        List<Event> events = new ArrayList<>();
        for (String side : List.of("client", "server")) {
            Connection connection = side.equals("client") ? pair.client() : pair.server();
            if (connection == null) {
                continue;
            }
            for (Phase phase : connection.phases()) {
                events.add(new Event(phase.start(), side, phase.state(), false, phase.startSeen(),
                        phase.duration().orElse(null), null));
            }
            if (connection.gone()) {
                events.add(new Event(connection.last().end(), side, null, true, true, null, null));
            }
        }
        for (TcpPacket packet : pair.packets()) {
            events.add(new Event(packet.time(), packet.source().equals(pair.clientEnd()) ? "client" : "server", null,
                    false, true, null, packet));
        }
        events.sort(Comparator.comparing(Event::time));
        return events;
    }

    private static double ladderHeight(List<Event> events) {
        double height = 130 + 50;
        Instant last = null;
        for (Event event : events) {
            if (last != null && Duration.between(last, event.time()).compareTo(GAP) > 0) {
                height += GAP_ROW;
            }
            height += ROW;
            last = event.time();
        }
        return height;
    }

    /** Draws one ladder from {@code top}; returns where the next one starts. */
    private static double ladder(Svg svg, Pair pair, List<Event> events, double top, Instant end, ZoneId zone) {
        String client = AddressText.hostPort(pair.clientEnd());
        String server = AddressText.hostPort(pair.serverEnd());
        svg.start("g", "class", "ladder", "data-client", client, "data-server", server);
        svg.line(20, top + 6, WIDTH - 20, top + 6, "#999999");
        svg.text(20, top + 30, "tcp " + client + " \u21c4 " + server, "font-size", "16", "font-weight", "bold",
                "font-family", Svg.MONO, "class", "ladder-title");
        Instant origin = events.isEmpty() ? end : events.get(0).time();
        svg.text(20, top + 50, "times since " + CLOCK.format(origin.atZone(zone)) + " (" + zone.getId() + ")",
                "font-size", "12", "fill", "#555555");
        column(svg, CLIENT_BAR, top + 78, "client", client, pair.client());
        column(svg, SERVER_BAR, top + 78, "server", server, pair.server());

        // Rows
        double y = top + 130;
        double firstRow = y;
        Instant last = null;
        Map<String, TcpState> current = new LinkedHashMap<>();
        Map<String, Double> since = new LinkedHashMap<>();
        Map<InetSocketAddress, Long> isn = initialSequences(pair.packets());
        svg.start("g", "class", "rows");
        for (Event event : events) {
            if (last != null && Duration.between(last, event.time()).compareTo(GAP) > 0) {
                gap(svg, y, Duration.between(last, event.time()));
                y += GAP_ROW;
            }
            String time = "+" + sinceText(Duration.between(origin, event.time()));
            svg.text(TIME_RIGHT, y + 4, time, "text-anchor", "end", "font-size", "11", "font-family", Svg.MONO,
                    "fill", "#333333", "class", "time");
            if (event.packet() != null) {
                packet(svg, event, y, isn, zone);
            } else {
                // close the side's running state bar here
                TcpState running = current.remove(event.side());
                if (running != null) {
                    bar(svg, event.side(), running, since.get(event.side()), y);
                }
                if (!event.gone()) {
                    current.put(event.side(), event.state());
                    since.put(event.side(), event.startSeen() ? y : firstRow - 20);
                }
                state(svg, event, y, zone);
            }
            y += ROW;
            last = event.time();
        }
        svg.end();
        for (Map.Entry<String, TcpState> open : current.entrySet()) {
            bar(svg, open.getKey(), open.getValue(), since.get(open.getKey()), y);
            svg.text(barX(open.getKey()) + BAR / 2, y + 14, "still " + open.getValue().netstatName() + " at exit",
                    "text-anchor", "middle", "font-size", "11", "fill", "#555555", "font-style", "italic");
        }
        svg.end();
        return y + 50;
    }

    private static void column(Svg svg, double x, double y, String side, String address, Connection connection) {
        double center = x + BAR / 2;
        svg.text(center, y - 22, side, "text-anchor", "middle", "font-size", "14", "font-weight", "bold");
        svg.text(center, y - 6, address, "text-anchor", "middle", "font-size", "12", "font-family", Svg.MONO);
        svg.text(center, y + 10, connection == null ? "its states were not seen"
                : TimelineSvg.ownerText(connection.owner()), "text-anchor", "middle", "font-size", "11",
                "fill", "#555555", "class", "owner", "data-side", side);
    }

    private static double barX(String side) {
        return side.equals("client") ? CLIENT_BAR : SERVER_BAR;
    }

    private static void bar(Svg svg, String side, TcpState state, double from, double to) {
        svg.rect(barX(side), from - ROW / 2 + 4, BAR, to - from, StateColors.fill(state), "class", "bar",
                "data-side", side, "data-state", state.netstatName(), "stroke", "#555555", "stroke-width", "0.5");
    }

    private static void state(Svg svg, Event event, double y, ZoneId zone) {
        boolean client = event.side().equals("client");
        String name = event.gone() ? "CLOSED" : event.state().netstatName();
        String why = event.gone() ? " (socket freed)" : event.startSeen() ? "" : " (already, when watching began)";
        String lasted = event.lasted() == null ? "" : (event.startSeen() ? "" : "\u2265 ") + TimelineSvg.span(event.lasted());
        double x = client ? CLIENT_BAR - 10 : SERVER_BAR + BAR + 10;
        svg.start("g", "class", "state", "data-side", event.side(), "data-state", name,
                "data-time", event.time().toString());
        svg.start("text", "x", Svg.number(x), "y", Svg.number(y + 4), "text-anchor", client ? "end" : "start",
                "font-size", "12");
        if (client && !lasted.isEmpty()) {
            svg.element("tspan", lasted + "  ", "fill", "#555555", "font-size", "11", "class", "lasted");
        }
        svg.element("tspan", name, "font-weight", "bold");
        if (!client && !lasted.isEmpty()) {
            svg.element("tspan", "  " + lasted, "fill", "#555555", "font-size", "11", "class", "lasted");
        }
        if (!why.isEmpty()) {
            svg.element("tspan", why, "fill", "#555555", "font-size", "11");
        }
        svg.element("title", event.side() + " " + name + " at " + CLOCK.format(event.time().atZone(zone)));
        svg.end();
        svg.end();
    }

    private static void packet(Svg svg, Event event, double y, Map<InetSocketAddress, Long> isn, ZoneId zone) {
        TcpPacket packet = event.packet();
        boolean fromClient = event.side().equals("client");
        double from = fromClient ? CLIENT_BAR + BAR : SERVER_BAR;
        double to = fromClient ? SERVER_BAR : CLIENT_BAR + BAR;
        String name = name(packet);
        String colour = packet.has(Flag.RST) ? "#c00000" : packet.has(Flag.FIN) ? "#b35900"
                : packet.has(Flag.SYN) ? "#1a7f1a" : packet.payloadLength() > 0 ? "#1f4fb4" : "#333333";
        String details = "[" + packet.flagNames() + "] seq " + relative(packet.seq(), isn.get(packet.source()))
                + (packet.has(Flag.ACK) ? " ack " + relative(packet.ack(), isn.get(packet.destination())) : "")
                + " win " + packet.window() + " len " + packet.payloadLength();
        svg.start("g", "class", "packet", "data-from", event.side(), "data-flags", String.join(",",
                packet.flagNames().split(", ")), "data-length", Integer.toString(packet.payloadLength()),
                "data-time", packet.time().toString());
        svg.element("title", name + ": " + AddressText.hostPort(packet.source()) + " \u2192 "
                + AddressText.hostPort(packet.destination()) + " " + details + ", on " + packet.interfaceName()
                + " at " + CLOCK.format(packet.time().atZone(zone)));
        double dy = 7;
        svg.line(from, y - dy, to, y + dy, colour, "stroke-width", packet.has(Flag.RST) || packet.has(Flag.FIN) ? "2.2" : "1.4");
        arrowHead(svg, from, y - dy, to, y + dy, colour);
        double mid = (CLIENT_BAR + BAR + SERVER_BAR) / 2;
        svg.start("text", "x", Svg.number(mid), "y", Svg.number(y - 7), "text-anchor", "middle", "font-size", "12");
        svg.element("tspan", name, "font-weight", "bold", "fill", colour);
        svg.element("tspan", "  " + details, "font-size", "10", "fill", "#555555", "font-family", Svg.MONO);
        svg.end();
        svg.end();
    }

    /** A filled triangle at the arrow's end. */
    private static void arrowHead(Svg svg, double x1, double y1, double x2, double y2, String colour) {
        double angle = Math.atan2(y2 - y1, x2 - x1);
        double length = 10;
        double spread = Math.toRadians(22);
        double ax = x2 - length * Math.cos(angle - spread);
        double ay = y2 - length * Math.sin(angle - spread);
        double bx = x2 - length * Math.cos(angle + spread);
        double by = y2 - length * Math.sin(angle + spread);
        svg.element("polygon", null, "points", Svg.number(x2) + "," + Svg.number(y2) + " " + Svg.number(ax) + ","
                + Svg.number(ay) + " " + Svg.number(bx) + "," + Svg.number(by), "fill", colour);
    }

    private static void gap(Svg svg, double y, Duration wait) {
        double mid = (CLIENT_BAR + BAR + SERVER_BAR) / 2;
        svg.start("g", "class", "gap", "data-seconds", String.format(Locale.ROOT, "%.6f", wait.toNanos() / 1e9));
        svg.line(CLIENT_BAR + BAR + 30, y + 4, SERVER_BAR - 30, y + 4, "#bbbbbb", "stroke-dasharray", "4 4");
        svg.text(mid, y + 8, "\u22ef  " + TimelineSvg.span(wait) + " pass  \u22ef", "text-anchor", "middle",
                "font-size", "13", "font-style", "italic", "fill", "#333333", "font-weight", "bold");
        svg.end();
    }

    /** SYN, SYN-ACK, RST, FIN, data (N bytes), or ACK: what the packet did, as the lab's notes name it. */
    static String name(TcpPacket packet) {
        String data = packet.payloadLength() > 0 ? packet.payloadLength() + " byte" + (packet.payloadLength() == 1 ? "" : "s")
                : "";
        if (packet.has(Flag.SYN)) {
            return packet.has(Flag.ACK) ? "SYN-ACK" : "SYN";
        }
        if (packet.has(Flag.RST)) {
            return "RST";
        }
        if (packet.has(Flag.FIN)) {
            return data.isEmpty() ? "FIN" : "FIN + data, " + data;
        }
        return data.isEmpty() ? "ACK" : "data, " + data;
    }

    /** Each sender's initial sequence number (its SYN's), for relative numbers as Wireshark shows them. */
    private static Map<InetSocketAddress, Long> initialSequences(List<TcpPacket> packets) {
        Map<InetSocketAddress, Long> isn = new LinkedHashMap<>();
        for (TcpPacket packet : packets) {
            if (packet.has(Flag.SYN)) {
                isn.putIfAbsent(packet.source(), packet.seq());
            }
        }
        return isn;
    }

    /** {@code number} counted from {@code base}, modulo 2^32; as it is when there is no base. */
    private static String relative(long number, Long base) {
        return base == null ? Long.toString(number) : Long.toString((number - base) & 0xFFFF_FFFFL);
    }

    private static String sinceText(Duration duration) {
        double seconds = duration.toNanos() / 1e9;
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.3f ms", seconds * 1e3);
        }
        return String.format(Locale.ROOT, "%.6f s", seconds);
    }
}
