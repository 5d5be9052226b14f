package io.echolab.common;

/**
 * The exit codes of every echo-lab program: 0, 1 and 2 as picocli uses them, and sysexits(3) codes for
 * the rest, so a script can tell a refused connection from a port in use without reading the message.
 * {@link Situation} says which code each situation gets; {@link ExitMapper} finds the situation of an exception.
 */
public final class ExitCode {

    /** Success. */
    public static final int OK = 0;
    /** A bug or an unexpected failure: the message says what happened. */
    public static final int SOFTWARE = 1;
    /** Bad options or arguments (picocli's own code for usage errors). */
    public static final int USAGE = 2;
    /**
     * What the program was asked to check did not happen (the watcher's --expect): not a failure of the
     * program, so none of sysexits' codes; 1 would be a bug's and 2 a usage error's.
     */
    public static final int NOT_MET = 3;
    /** EX_DATAERR: input was malformed, e.g. a /proc/net/tcp row that does not parse. */
    public static final int DATA = 65;
    /** EX_NOINPUT: an input does not exist, e.g. /proc/PID/net/tcp of a process that is gone. */
    public static final int NO_INPUT = 66;
    /** EX_NOHOST: a host name that does not resolve. */
    public static final int NO_HOST = 68;
    /** EX_UNAVAILABLE: the peer cannot be reached: connection refused, unreachable, timed out. */
    public static final int UNAVAILABLE = 69;
    /** EX_CANTCREAT: an output file cannot be made, e.g. state-watcher's --svg naming a directory. */
    public static final int CANT_CREATE = 73;
    /** EX_IOERR: an established connection failed: reset by the peer, closed mid-echo, a failed write. */
    public static final int IO = 74;
    /** EX_TEMPFAIL: the local address is taken (often by a TIME_WAIT socket): retrying later may work. */
    public static final int ADDRESS_IN_USE = 75;
    /** EX_NOPERM: the kernel refused access, e.g. tracefs or another process's /proc without root. */
    public static final int NO_PERMISSION = 77;
    /** 128 + SIGINT: stopped by Ctrl-C, as a shell reports it. */
    public static final int INTERRUPTED = 130;
    /** 128 + SIGTERM: stopped by SIGTERM (kill PID), as a shell reports it. */
    public static final int TERMINATED = 143;

    private ExitCode() {
    }
}
