package io.echolab.common;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * A program's standard output: the lines the C programs print, optionally prefixed with the time
 * ({@code HH:mm:ss.SSS}), and raw bytes echoed as they came. Bytes, not characters, so an echoed line
 * comes out exactly as it went in. Every call flushes, so a watcher or a test sees each line at once.
 */
public final class Transcript {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final OutputStream out;
    private final boolean timestamps;
    private final Clock clock;
    private boolean atLineStart = true;

    public Transcript(OutputStream out, boolean timestamps, Clock clock) {
        this.out = out;
        this.timestamps = timestamps;
        this.clock = clock;
    }

    /** Prints a whole line. */
    public synchronized void line(String text) {
        text(text + "\n");
    }

    /** Prints text without ending the line, like the prompt {@code Input(Q to quit): }. */
    public synchronized void text(String text) {
        byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
        bytes(encoded, 0, encoded.length);
    }

    /** Prints bytes verbatim; a timestamp starts each new line when timestamps are on. */
    public synchronized void bytes(byte[] buffer, int offset, int length) {
        try {
            int start = offset;
            int end = offset + length;
            for (int i = offset; i < end; i++) {
                if (atLineStart && timestamps) {
                    out.write(buffer, start, i - start);
                    start = i;
                    out.write((LocalTime.now(clock).format(TIME) + " ").getBytes(StandardCharsets.US_ASCII));
                }
                atLineStart = buffer[i] == '\n';
            }
            out.write(buffer, start, end - start);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to standard output", e);
        }
    }

    /** Ends the current line if something was printed on it, so the next line starts clean. */
    public synchronized void endLine() {
        if (!atLineStart) {
            line("");
        }
    }
}
