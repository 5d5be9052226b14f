package io.echolab.watcher.capture;

import java.io.IOException;

/** A capture that could not be opened or read: which call failed, and strerror's message. */
public final class CaptureException extends IOException {

    private final int errno;

    CaptureException(String call, int errno) {
        super(call + ": " + message(errno));
        this.errno = errno;
    }

    /** EPERM or EACCES: a packet socket needs CAP_NET_RAW (root). */
    public boolean permissionDenied() {
        return errno == LibC.EPERM || errno == LibC.EACCES;
    }

    /** strerror(errno), or {@code errno N} if the C library cannot be asked. */
    static String message(int errno) {
        try {
            String text = LibC.INSTANCE.strerror(errno);
            return text == null || text.isBlank() ? "errno " + errno : text;
        } catch (LinkageError e) {
            return "errno " + errno;
        }
    }
}
