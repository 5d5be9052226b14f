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

import io.echolab.watcher.ScriptedSource.ManualClock;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.report.NetstatRenderer;
import org.junit.jupiter.api.Test;

/** The article's loop output over scripted polls: printed on a change of sockets or states, or every poll. */
class TablePrinterTest {

    private static final Instant T0 = Instant.parse("2022-07-10T09:03:54Z");

    private final StringWriter text = new StringWriter();
    private final ManualClock clock = new ManualClock(T0);

    private List<String> lines() {
        return List.of(text.toString().split("\n"));
    }

    private void play(ScriptedSource source, int polls, boolean everyPoll) throws IOException {
        TablePrinter printer = new TablePrinter(new Output(new PrintWriter(text), () -> false),
                (time, view) -> NetstatRenderer.snapshot(time, ZoneOffset.UTC, view), everyPoll);
        Watcher watcher = new Watcher(Backend.polled("scripted", source), Duration.ofMillis(10), clock, List.of(printer));
        for (int i = 0; i < polls; i++) {
            watcher.poll();
            clock.advance(Duration.ofMillis(10));
        }
    }

    @Test
    void printsOnlyWhenSocketsOrStatesChange() throws IOException {
        play(new ScriptedSource()
                .then(row(58332, 11233, TcpState.ESTABLISHED, 0))
                .then(row(58332, 11233, TcpState.ESTABLISHED, 2)) // retransmits only
                .then(row(58332, 11233, TcpState.FIN_WAIT2))
                .then()
                .then(), 5, false);

        assertEquals(List.of(
                "2022-07-10 09:03:54.000",
                "tcp        0      0 127.0.0.1:58332         127.0.0.1:11233         ESTABLISHED",
                "2022-07-10 09:03:54.020",
                "tcp        0      0 127.0.0.1:58332         127.0.0.1:11233         FIN_WAIT2",
                "2022-07-10 09:03:54.030"), lines());
    }

    @Test
    void everyPollPrintsEverySample() throws IOException {
        play(new ScriptedSource().then(row(11233, 0, TcpState.LISTEN)), 2, true);

        assertEquals(List.of(
                "2022-07-10 09:03:54.000",
                "tcp        0      0 127.0.0.1:11233         127.0.0.1:*             LISTEN",
                "2022-07-10 09:03:54.010",
                "tcp        0      0 127.0.0.1:11233         127.0.0.1:*             LISTEN"), lines());
    }
}
