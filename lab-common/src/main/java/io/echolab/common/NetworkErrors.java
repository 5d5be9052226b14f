package io.echolab.common;

import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;

/**
 * Words socket exceptions as the C programs print them ({@code strerror(errno)}: "Connection reset by
 * peer"). Which exit code each gets is {@link ExitMapper}'s business.
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
}
