package io.echolab.watcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;

/** The timeline text for constructed connections: the article's client and listener. */
class TimelineRendererTest {

    private static final ZoneId UTC = ZoneId.of("UTC");
    /** A note starts under the state's name: two blanks, the 12-character time and two blanks. */
    private static final String NOTE = " ".repeat(16) + "note: ";

    private static InetSocketAddress at(String ip, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private static Instant t(String time) {
        return Instant.parse("2022-07-10T" + time + "Z");
    }

    @Test
    void clientThroughTimeWaitAndAListenerStillOpen() throws UnknownHostException {
        Connection client = new Connection(new ConnectionKey("tcp", at("127.0.0.1", 58332), at("127.0.0.1", 11233)),
                List.of(new Phase(TcpState.ESTABLISHED, t("17:03:54.120"), t("17:03:55.623"), true, TimerKind.OFF, Duration.ZERO, 0, 0,
                        Set.of(TimerKind.OFF)),
                        new Phase(TcpState.FIN_WAIT2, t("17:03:55.623"), t("17:04:05.625"), true, TimerKind.TIME_WAIT,
                                Duration.ofMillis(59_480), 0, 0, Set.of(TimerKind.TIME_WAIT)),
                        new Phase(TcpState.TIME_WAIT, t("17:04:05.625"), t("17:05:05.635"), true, TimerKind.TIME_WAIT,
                                Duration.ofMillis(59_990), 2, 0, Set.of(TimerKind.TIME_WAIT))),
                true, Optional.of(new Owner(4242, "echo-client", 3)));
        Connection listener = new Connection(new ConnectionKey("tcp6", at("::", 11233), at("::", 0)),
                List.of(new Phase(TcpState.LISTEN, t("17:03:20.000"), null, false, TimerKind.OFF, Duration.ZERO, 0, 0, Set.of(TimerKind.OFF))),
                false, Optional.empty());

        List<String> all = TimelineRenderer.render(List.of(client, listener), t("17:05:10.500"), UTC);
        List<String> lines = all.stream().filter(line -> !line.startsWith(NOTE)).toList();

        assertEquals(List.of(
                "Each state: when a poll first saw it, and how long it lasted (until a poll saw the next).",
                "",
                "tcp 127.0.0.1:58332 -> 127.0.0.1:11233  echo-client (pid 4242)",
                "  17:03:54.120  ESTABLISHED  1.503 s",
                "  17:03:55.623  FIN_WAIT2    10.002 s, timer 59.48s",
                "  17:04:05.625  TIME_WAIT    60.010 s, timer 59.99s, retransmits 2",
                "  17:05:05.635  gone",
                "",
                "tcp6 [::]:11233 -> [::]:*",
                "  17:03:20.000  LISTEN       still open at exit (>= 110.500 s since watching began)"), lines);
        int timeWait = all.indexOf("  17:04:05.625  TIME_WAIT    60.010 s, timer 59.99s, retransmits 2");
        assertTrue(all.get(timeWait + 1).startsWith(NOTE + "TIME_WAIT always lasts 60 s (TCP_TIMEWAIT_LEN"),
                "the one note, under the TIME_WAIT it explains: " + all);
        assertEquals(lines.size() + 1, all.size(), "no other note: " + all);
    }

    @Test
    void endedPhaseWhoseStartWasNotSeenIsALowerBound() throws UnknownHostException {
        Connection server = new Connection(new ConnectionKey("tcp", at("127.0.0.1", 11233), at("127.0.0.1", 58332)),
                List.of(new Phase(TcpState.CLOSE_WAIT, t("17:03:56.000"), t("17:04:05.625"), false, TimerKind.OFF, Duration.ZERO, 0, 0, Set.of(TimerKind.OFF))),
                true, Optional.empty());

        List<String> lines = TimelineRenderer.render(List.of(server), t("17:05:00"), UTC).stream()
                .filter(line -> !line.startsWith(NOTE)).toList();

        assertEquals("  17:03:56.000  CLOSE_WAIT   >= 9.625 s since watching began", lines.get(3));
        assertEquals("  17:04:05.625  gone", lines.get(4));
    }

    @Test
    void nothingMatched() {
        assertEquals(List.of("No connection matched."), TimelineRenderer.render(List.of(), t("17:00:00"), UTC));
    }
}
