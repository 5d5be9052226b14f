package io.echolab.common;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Map;

import picocli.CommandLine.ParameterException;

/**
 * The one place that decides how a program ends: an exception, or a situation the program names, becomes
 * a {@link Failure}, the one line it prints and the {@link Situation} whose exit code it returns.
 *
 * <pre>{@code
 * } catch (IOException e) {
 *     Failure f = ExitMapper.failure("connect socket failed", e);   // REFUSED, "connect socket failed: Connection refused"
 *     err.println(f.message());
 *     return f.exitCode();                                          // 69
 * }</pre>
 */
public final class ExitMapper {

    /**
     * The JDK reports errno as strerror's words and no number (a refused connect and a timed-out one are both
     * a ConnectException): these words are errno here, read in this one place.
     */
    private static final Map<String, Situation> ERRNO = Map.of(
            "Connection refused", Situation.REFUSED,
            "Connection timed out", Situation.TIMED_OUT,
            "Network is unreachable", Situation.UNREACHABLE,
            "No route to host", Situation.UNREACHABLE,
            "Cannot assign requested address", Situation.ADDRESS_NOT_AVAILABLE,
            "Address already in use", Situation.ADDRESS_IN_USE,
            "Permission denied", Situation.PERMISSION_DENIED,
            "Operation not permitted", Situation.PERMISSION_DENIED);

    private ExitMapper() {
    }

    /** The situation an exception puts a program in. */
    public static Situation situation(Throwable e) {
        if (e instanceof UncheckedIOException unchecked) {
            return situation(unchecked.getCause());
        }
        if (e instanceof ParameterException) {
            return Situation.BAD_USAGE;
        }
        if (e instanceof UnknownHostException) {
            return Situation.UNKNOWN_HOST;
        }
        if (e instanceof SocketTimeoutException) {
            return Situation.TIMED_OUT;
        }
        if (e instanceof ClosedByInterruptException || e instanceof InterruptedException
                || e instanceof InterruptedIOException) {
            return Situation.INTERRUPTED;
        }
        if (e instanceof NoSuchFileException) {
            return Situation.NO_SUCH_INPUT;
        }
        if (e instanceof AccessDeniedException) {
            return Situation.PERMISSION_DENIED;
        }
        if (e instanceof FileSystemException file && file.getReason() != null && ERRNO.containsKey(file.getReason())) {
            return ERRNO.get(file.getReason()); // EPERM on a file, e.g. /proc/PID/net/tcp under hidepid=noaccess
        }
        if (e instanceof IOException) {
            Situation errno = e.getMessage() == null ? null : ERRNO.get(e.getMessage());
            if (errno != null) {
                return errno;
            }
            return e instanceof NoRouteToHostException ? Situation.UNREACHABLE : Situation.CONNECTION_FAILED;
        }
        return Situation.INTERNAL_ERROR;
    }

    /** The exit code for an exception: {@code situation(e).exitCode()}. */
    public static int exitCode(Throwable e) {
        return situation(e).exitCode();
    }

    /**
     * The failure of an action, worded as the C programs word it: {@code connect socket failed: Connection refused}.
     *
     * @param action what was tried, as the C program says it failed ("bind socket failed")
     */
    public static Failure failure(String action, Throwable e) {
        Situation situation = situation(e);
        String reason = e instanceof IOException io ? NetworkErrors.reason(io)
                : e instanceof UncheckedIOException u ? NetworkErrors.reason(u.getCause())
                : situation == Situation.INTERNAL_ERROR ? "internal error: " + e : String.valueOf(e.getMessage());
        return new Failure(situation, oneLine(action + ": " + reason));
    }

    /** A failure the program names itself, e.g. {@code failure(Situation.UNKNOWN_HOST, "unknown host 'x'")}. */
    public static Failure failure(Situation situation, String message) {
        return new Failure(situation, oneLine(message));
    }

    private static String oneLine(String text) {
        return text.replace('\n', ' ').strip();
    }
}
