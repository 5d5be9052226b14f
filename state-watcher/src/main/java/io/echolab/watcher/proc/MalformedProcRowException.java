package io.echolab.watcher.proc;

import java.io.IOException;

/**
 * A row of /proc/net/tcp{,6} that does not parse. An {@link IOException}, so a caller of
 * {@link ProcNetTcp#read} handles bad input and failed reads in one place; catch this first to tell them apart.
 */
public final class MalformedProcRowException extends IOException {

    private final String source;
    private final int lineNumber;
    private final String line;
    private final String reason;

    /**
     * @param source     where the line came from: a path, or the table name ({@code tcp})
     * @param lineNumber the line's number, from 1, the header being line 1
     */
    public MalformedProcRowException(String source, int lineNumber, String line, String reason) {
        super(source + " line " + lineNumber + ": " + reason + ": \"" + line.stripTrailing() + "\"");
        this.source = source;
        this.lineNumber = lineNumber;
        this.line = line;
        this.reason = reason;
    }

    /** The same failure, said to come from {@code newSource} (the file's path). */
    public MalformedProcRowException withSource(String newSource) {
        MalformedProcRowException e = new MalformedProcRowException(newSource, lineNumber, line, reason);
        e.setStackTrace(getStackTrace());
        return e;
    }

    public String source() {
        return source;
    }

    public int lineNumber() {
        return lineNumber;
    }

    /** The line as read, padding included. */
    public String line() {
        return line;
    }

    /** What is wrong with it, e.g. {@code bad local address '01O0007F:D88C'}. */
    public String reason() {
        return reason;
    }
}
