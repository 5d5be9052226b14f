package io.echolab.watcher.netlink;

import java.io.IOException;

/** A system call that failed: which call, its errno, and strerror's message. */
public final class NativeCallException extends IOException {

    private final String call;
    private final int errno;

    NativeCallException(String call, int errno, String message) {
        super(call + ": " + message);
        this.call = call;
        this.errno = errno;
    }

    /** The call as written in the message, e.g. {@code setns(/proc/42/ns/net)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** EPERM or EACCES: the kernel wants a privilege this process lacks. */
    public boolean permissionDenied() {
        return errno == Errno.EPERM || errno == Errno.EACCES;
    }
}
