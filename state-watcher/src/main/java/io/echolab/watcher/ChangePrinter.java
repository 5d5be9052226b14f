package io.echolab.watcher;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;

/** Prints one record per change (a jsonl object, a csv row), flushed at once so {@code jq} sees it live. */
final class ChangePrinter implements WatchListener {

    /** One change as one record, without its final newline. */
    @FunctionalInterface
    interface Record {
        String of(StateChange change, boolean micros, Optional<Owner> owner);
    }

    private final Output out;
    private final Record record;
    private final boolean micros;
    private final Function<ConnectionKey, Optional<Owner>> owners;

    /**
     * @param micros print times to the microsecond: the backend's changes carry the kernel's timestamps
     * @param owners who holds or held each connection
     */
    ChangePrinter(Output out, Record record, boolean micros, Function<ConnectionKey, Optional<Owner>> owners) {
        this.out = out;
        this.record = record;
        this.micros = micros;
        this.owners = owners;
    }

    /** A first line before any change: jsonl's start object, csv's header row. */
    void first(String line) {
        out.print(List.of(line));
    }

    @Override
    public void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
        out.print(changes.stream().map(change -> record.of(change, micros, owners.apply(change.key()))).toList());
    }
}
