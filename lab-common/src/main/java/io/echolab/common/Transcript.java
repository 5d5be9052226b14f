package io.echolab.common;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * A program's standard output: the lines the C programs print, and raw bytes echoed as they came. Bytes,
 * not characters, so an echoed line comes out exactly as it went in. Every call flushes, so a watcher or a
 * test sees each line at once.
 *
 * <p>With timestamps on, each event's words are prefixed with the time the event happened
 * ({@code HH:mm:ss.SSS}), even when they follow a prompt on the same line:
 * {@code 20:42:19.459 Input(Q to quit): 20:42:19.487 quit...}. The prompt's own stamp says when it appeared.
 */
public final class Transcript {

    /** Made on first use: building a formatter costs a program without --timestamps time at every start. */
    private static final class Stamp {
        static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    }

    private final OutputStream out;
    private final boolean timestamps;
    private final Clock clock;
    private boolean atLineStart = true;

    public Transcript(OutputStream out, boolean timestamps, Clock clock) {
        this.out = out;
        this.timestamps = timestamps;
        this.clock = clock;
    }

    /** The clock stamps are read from, for a caller that notes when an event happened before printing it. */
    public Instant now() {
        return clock.instant();
    }

    /** Prints a whole line about something that happens now; stamped even after a prompt on the same line. */
    public synchronized void line(String text) {
        event(clock.instant(), text + "\n");
    }

    /** Prints words about something that happened at {@code at}, stamped with that time even mid-line. */
    public synchronized void event(Instant at, String text) {
        if (timestamps) {
            write((LocalTime.ofInstant(at, clock.getZone()).format(Stamp.TIME) + " ").getBytes(StandardCharsets.US_ASCII));
        }
        byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
        write(encoded);
        if (encoded.length > 0) {
            atLineStart = encoded[encoded.length - 1] == '\n';
        }
        flush();
    }

    /** Prints text without ending the line, like the prompt {@code Input(Q to quit): }; stamped at a line's start. */
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
                    out.write((LocalTime.now(clock).format(Stamp.TIME) + " ").getBytes(StandardCharsets.US_ASCII));
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
            bytes(new byte[] {'\n'}, 0, 1);
        }
    }

    private void write(byte[] bytes) {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to standard output", e);
        }
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to standard output", e);
        }
    }
}
