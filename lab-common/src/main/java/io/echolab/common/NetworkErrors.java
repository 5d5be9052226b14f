package io.echolab.common;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;

/**
 * Turns socket exceptions into what the C programs print ({@code strerror(errno)}: "Connection reset by
 * peer") and into one exit code per kind of failure.
 */
public final class NetworkErrors {

    private NetworkErrors() {
    }

    /** The reason as strerror would word it; the JDK's message is already that on Linux for errno failures. */
    public static String reason(IOException e) {
        if (e instanceof ClosedByInterruptException) {
            return "Interrupted";
        }
        if (e instanceof UnknownHostException) {
            return "Unknown host " + e.getMessage();
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        // The JDK words ECONNRESET on a blocking socket read as "Connection reset"; strerror says "by peer".
        return message.equals("Connection reset") ? "Connection reset by peer" : message;
    }

    /** The exit code for a failure to reach a peer or to keep a connection. */
    public static int exitCode(IOException e) {
        if (e instanceof UnknownHostException) {
            return ExitCode.NO_HOST;
        }
        if (e instanceof BindException) {
            return "Address already in use".equals(e.getMessage()) ? ExitCode.ADDRESS_IN_USE : ExitCode.UNAVAILABLE;
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof SocketTimeoutException) {
            return ExitCode.UNAVAILABLE;
        }
        if (e instanceof ClosedByInterruptException) {
            return ExitCode.INTERRUPTED;
        }
        return ExitCode.IO;
    }
}
