package io.echolab.common;

/**
 * Why a program ends, each with the exit code it gets. A program names the situation (or lets
 * {@link ExitMapper} find it from an exception); the code follows from here and nowhere else.
 */
public enum Situation {

    /** Everything asked for was done. */
    DONE(ExitCode.OK),
    /** A bug or an unexpected failure. */
    INTERNAL_ERROR(ExitCode.SOFTWARE),
    /** Bad options or arguments. */
    BAD_USAGE(ExitCode.USAGE),
    /** What the program was asked to check did not happen, e.g. the watcher's {@code --expect}. */
    NOT_MET(ExitCode.NOT_MET),
    /** Input that does not parse, e.g. a malformed /proc/net/tcp row. */
    MALFORMED_INPUT(ExitCode.DATA),
    /** An input that does not exist, e.g. /proc/PID of a process that is gone. */
    NO_SUCH_INPUT(ExitCode.NO_INPUT),
    /** A host name that does not resolve. */
    UNKNOWN_HOST(ExitCode.NO_HOST),
    /** ECONNREFUSED: nothing listens there. */
    REFUSED(ExitCode.UNAVAILABLE),
    /** ENETUNREACH, EHOSTUNREACH: no route to the peer. */
    UNREACHABLE(ExitCode.UNAVAILABLE),
    /** ETIMEDOUT, or a time limit of the program's own: the peer did not answer in time. */
    TIMED_OUT(ExitCode.UNAVAILABLE),
    /** EADDRNOTAVAIL: the address is not this host's, or no ephemeral port is left for a connect. */
    ADDRESS_NOT_AVAILABLE(ExitCode.UNAVAILABLE),
    /** Something the program needs is not there, e.g. the tracepoint; or some of a load's connections failed. */
    UNAVAILABLE(ExitCode.UNAVAILABLE),
    /** An output file cannot be made: a directory, no such directory, no permission (state-watcher's pictures). */
    CANNOT_CREATE(ExitCode.CANT_CREATE),
    /** An established connection failed: reset, closed mid-echo, a failed read or write. */
    CONNECTION_FAILED(ExitCode.IO),
    /** Reading an input failed midway, e.g. the kernel's socket table. */
    READ_FAILED(ExitCode.IO),
    /** Standard output's reader has gone, e.g. {@code | head -n 3} after head ended. */
    OUTPUT_CLOSED(ExitCode.IO),
    /** EADDRINUSE: the local address is taken (often by a TIME_WAIT socket); later may work. */
    ADDRESS_IN_USE(ExitCode.ADDRESS_IN_USE),
    /** EACCES, EPERM: the kernel refused, e.g. a port below 1024 or tracefs without root. */
    PERMISSION_DENIED(ExitCode.NO_PERMISSION),
    /** Ctrl-C (SIGINT). */
    INTERRUPTED(ExitCode.INTERRUPTED),
    /** SIGTERM. */
    TERMINATED(ExitCode.TERMINATED);

    private final int exitCode;

    Situation(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The exit code a program ends with in this situation. */
    public int exitCode() {
        return exitCode;
    }
}
