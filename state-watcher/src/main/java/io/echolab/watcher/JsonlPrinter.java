package io.echolab.watcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.report.JsonlRenderer;

/** Prints one JSON line per change, flushed at once so {@code jq} sees it live. */
final class JsonlPrinter implements WatchListener {

    private final PrintWriter out;

    JsonlPrinter(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void onChange(StateChange change) {
        out.println(JsonlRenderer.line(change));
        out.flush();
        if (out.checkError()) {
            throw new UncheckedIOException(new IOException("standard output is closed"));
        }
    }
}
