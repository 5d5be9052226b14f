package io.echolab.watcher;

import static io.echolab.watcher.ScriptedSource.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;

/** When the netstat output prints a block: on a change of sockets or states, or at every poll. */
class NetstatPrinterTest {

    private static final Instant T0 = Instant.parse("2022-07-10T09:03:54Z");

    private final StringWriter text = new StringWriter();

    private List<String> lines() {
        return List.of(text.toString().split("\n"));
    }

    @Test
    void printsOnlyWhenSocketsOrStatesChange() {
        NetstatPrinter printer = new NetstatPrinter(new PrintWriter(text), ZoneOffset.UTC, false);

        printer.onSample(T0, List.of(row(58332, 11233, TcpState.ESTABLISHED, 0)));
        printer.onSample(T0.plusMillis(10), List.of(row(58332, 11233, TcpState.ESTABLISHED, 2))); // retransmits only
        printer.onSample(T0.plusMillis(20), List.of(row(58332, 11233, TcpState.FIN_WAIT2)));
        printer.onSample(T0.plusMillis(30), List.of());
        printer.onSample(T0.plusMillis(40), List.of());

        assertEquals(List.of(
                "2022-07-10 09:03:54.000",
                "tcp        0      0 127.0.0.1:58332         127.0.0.1:11233         ESTABLISHED",
                "2022-07-10 09:03:54.020",
                "tcp        0      0 127.0.0.1:58332         127.0.0.1:11233         FIN_WAIT2",
                "2022-07-10 09:03:54.030"), lines());
    }

    @Test
    void everyPollPrintsEverySample() {
        NetstatPrinter printer = new NetstatPrinter(new PrintWriter(text), ZoneOffset.UTC, true);

        printer.onSample(T0, List.of(row(11233, 0, TcpState.LISTEN)));
        printer.onSample(T0.plusMillis(10), List.of(row(11233, 0, TcpState.LISTEN)));

        assertEquals(List.of(
                "2022-07-10 09:03:54.000",
                "tcp        0      0 127.0.0.1:11233         127.0.0.1:*             LISTEN",
                "2022-07-10 09:03:54.010",
                "tcp        0      0 127.0.0.1:11233         127.0.0.1:*             LISTEN"), lines());
    }
}
