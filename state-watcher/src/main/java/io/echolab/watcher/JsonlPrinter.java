package io.echolab.watcher;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import io.echolab.watcher.model.CloseWaitAlert;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.report.JsonlRenderer;

/** Prints one JSON line per change, flushed at once so {@code jq} sees it live. */
final class JsonlPrinter implements WatchListener {

    private final Output out;
    private final boolean micros;
    private final Function<ConnectionKey, Optional<Owner>> owners;

    /**
     * @param micros print times to the microsecond: the backend's changes carry the kernel's timestamps
     * @param owners who holds or held each connection
     */
    JsonlPrinter(Output out, boolean micros, Function<ConnectionKey, Optional<Owner>> owners) {
        this.out = out;
        this.micros = micros;
        this.owners = owners;
    }

    /** The first line: which backend the watcher uses, and what it watches. */
    void start(Instant time, String backend, List<Integer> ports) {
        out.print(List.of(JsonlRenderer.start(time, backend, ports)));
    }

    /** A CLOSE_WAIT alert, among the changes. */
    void alert(CloseWaitAlert alert) {
        out.print(List.of(JsonlRenderer.alert(alert, micros)));
    }

    @Override
    public void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
        out.print(changes.stream().map(change -> JsonlRenderer.line(change, micros, owners.apply(change.key()))).toList());
    }
}
