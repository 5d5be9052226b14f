package io.echolab.watcher;

/**
 * What the watcher prints: netstat's or ss's rows as it goes, one JSON line or CSV row per change, or
 * timelines at exit.
 */
public enum OutputFormat {

    NETSTAT, SS, JSONL, CSV, TIMELINE;

    /** The formats that print the sockets as rows, where --every-poll, --owners, --timers and --summary apply. */
    boolean table() {
        return this == NETSTAT || this == SS;
    }

    /** {@code netstat}, {@code ss}, {@code jsonl}, {@code csv}, {@code timeline}: --format's values. */
    public static final class Names extends LowercaseNames<OutputFormat> {
        public Names() {
            super(OutputFormat.class, "format");
        }
    }
}
