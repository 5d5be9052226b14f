package io.echolab.watcher.trace;

import java.io.IOException;

/** The tracepoint cannot be used here: no tracefs, no permission, or no such event in this kernel. */
public final class TraceUnavailableException extends IOException {

    private final boolean permission;

    TraceUnavailableException(String message, boolean permission) {
        super(message);
        this.permission = permission;
    }

    TraceUnavailableException(String message, boolean permission, Throwable cause) {
        super(message, cause);
        this.permission = permission;
    }

    /** True when root (CAP_SYS_ADMIN on tracefs) would make it available. */
    public boolean permission() {
        return permission;
    }
}
