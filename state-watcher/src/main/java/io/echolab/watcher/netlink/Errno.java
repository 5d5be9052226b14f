package io.echolab.watcher.netlink;

import java.io.IOException;

import com.sun.jna.LastErrorException;

/** errno values the watcher tells apart, and failed calls as IOExceptions that name the call. */
final class Errno {

    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EACCES = 13;
    static final int EINVAL = 22;
    static final int EPERM = 1;
    static final int EAGAIN = 11;
    static final int EPROTONOSUPPORT = 93;
    static final int EOPNOTSUPP = 95;

    private Errno() {
    }

    /** {@code CALL: strerror(errno)}, e.g. {@code socket(AF_NETLINK, NETLINK_SOCK_DIAG): Protocol not supported}. */
    static IOException failure(String call, LastErrorException e) {
        return failure(call, e.getErrorCode());
    }

    /** As {@link #failure(String, LastErrorException)}, for an errno the kernel sent in a netlink error message. */
    static IOException failure(String call, int errno) {
        return new NativeCallException(call, errno, message(errno));
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
