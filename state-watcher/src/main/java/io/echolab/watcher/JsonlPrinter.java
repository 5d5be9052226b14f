package io.echolab.watcher;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.report.JsonlRenderer;

/** Prints one JSON line per change, flushed at once so {@code jq} sees it live. */
final class JsonlPrinter implements WatchListener {

    private final Output out;
    private final boolean micros;

    /**
     * @param micros print times to the microsecond: the backend's changes carry the kernel's timestamps
     */
    JsonlPrinter(Output out, boolean micros) {
        this.out = out;
        this.micros = micros;
    }

    /** The first line: which backend the watcher uses, and what it watches. */
    void start(Instant time, String backend, List<Integer> ports) {
        out.print(List.of(JsonlRenderer.start(time, backend, ports)));
    }

    @Override
    public void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
        out.print(changes.stream().map(change -> JsonlRenderer.line(change, micros)).toList());
    }
}
