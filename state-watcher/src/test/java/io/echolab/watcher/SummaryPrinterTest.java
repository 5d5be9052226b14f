package io.echolab.watcher;

import static io.echolab.watcher.ScriptedSource.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import io.echolab.watcher.ScriptedSource.ManualClock;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;

/** --summary over scripted polls: counts when they change or at a pace, and the peaks at exit. */
class SummaryPrinterTest {

    private static final Instant T0 = Instant.parse("2022-07-10T09:03:54Z");

    private final StringWriter text = new StringWriter();
    private final ManualClock clock = new ManualClock(T0);

    private List<String> play(ScriptedSource source, int polls, Optional<Duration> every) throws IOException {
        SummaryPrinter printer = new SummaryPrinter(new Output(new PrintWriter(text), () -> false), ZoneOffset.UTC, false,
                TcpState::netstatName, every);
        Watcher watcher = new Watcher(Backend.polled("scripted", source), Duration.ofMillis(10), clock, List.of(printer));
        for (int i = 0; i < polls; i++) {
            watcher.poll();
            clock.advance(Duration.ofMillis(400));
        }
        printer.finish();
        return List.of(text.toString().split("\n"));
    }

    /** Two connections: ESTABLISHED, one then both in TIME_WAIT. */
    private static ScriptedSource load() {
        return new ScriptedSource()
            .then(row(11233, 0, TcpState.LISTEN))
            .then(row(11233, 0, TcpState.LISTEN), row(50001, 11233, TcpState.ESTABLISHED), row(50002, 11233, TcpState.ESTABLISHED))
            .then(row(11233, 0, TcpState.LISTEN), row(50001, 11233, TcpState.TIME_WAIT), row(50002, 11233, TcpState.ESTABLISHED))
            .then(row(11233, 0, TcpState.LISTEN), row(50002, 11233, TcpState.ESTABLISHED), row(50001, 11233, TcpState.TIME_WAIT))
            .then(row(11233, 0, TcpState.LISTEN), row(50001, 11233, TcpState.TIME_WAIT), row(50002, 11233, TcpState.TIME_WAIT));
    }

    @Test
    void countsWhenTheyChangeThenPeaks() throws IOException {
        List<String> lines = play(load(), 6, Optional.empty());

        assertEquals(List.of(
                "2022-07-10 09:03:54.000", "LISTEN 1",
                "2022-07-10 09:03:54.400", "ESTABLISHED 2", "LISTEN 1",
                "2022-07-10 09:03:54.800", "ESTABLISHED 1", "TIME_WAIT 1", "LISTEN 1",
                // 09:03:55.200: the same counts in another order: nothing printed
                "2022-07-10 09:03:55.600", "TIME_WAIT 2", "LISTEN 1",
                "Peak of each state (the most at once, and when first reached):",
                "ESTABLISHED 2 09:03:54.400", "TIME_WAIT 2 09:03:55.600", "LISTEN 1 09:03:54.000"), lines);
    }

    @Test
    void everyDurationPrintsAtThatPaceWhatEverChanged() throws IOException {
        List<String> lines = play(new ScriptedSource()
                .then(row(11233, 0, TcpState.LISTEN))
                .then(row(11233, 0, TcpState.LISTEN), row(50001, 11233, TcpState.ESTABLISHED))
                .then(row(11233, 0, TcpState.LISTEN)), 6, Optional.of(Duration.ofSeconds(1)));

        assertEquals(List.of(
                "2022-07-10 09:03:54.000", "LISTEN 1",
                // the ESTABLISHED of 09:03:54.400 came and went between two blocks: only its peak tells
                "2022-07-10 09:03:55.200", "LISTEN 1",
                "2022-07-10 09:03:56.000", "LISTEN 1",
                "Peak of each state (the most at once, and when first reached):",
                "ESTABLISHED 1 09:03:54.400", "LISTEN 1 09:03:54.000"), lines);
    }
}
