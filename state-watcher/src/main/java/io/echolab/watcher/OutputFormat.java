package io.echolab.watcher;

/** What the watcher prints: netstat snapshots as it goes, one JSON line per change, or timelines at exit. */
public enum OutputFormat {

    NETSTAT, JSONL, TIMELINE;

    /** {@code netstat}, {@code jsonl}, {@code timeline}: --format's values. */
    public static final class Names extends LowercaseNames<OutputFormat> {
        public Names() {
            super(OutputFormat.class, "format");
        }
    }
}
