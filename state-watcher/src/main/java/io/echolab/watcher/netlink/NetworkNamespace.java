package io.echolab.watcher.netlink;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.jna.LastErrorException;

/**
 * Opens sockets in another process's network namespace. A socket belongs to the namespace its creator was in
 * when it called socket(2), and stays there; so a thread of our own enters the namespace with setns(2), opens
 * the socket, and ends, leaving every other thread of the JVM where it was. Needs CAP_SYS_ADMIN (root).
 */
public final class NetworkNamespace {

    /** What to open inside the namespace. */
    @FunctionalInterface
    public interface Opener<T> {
        T open() throws IOException;
    }

    private NetworkNamespace() {
    }

    /**
     * Runs {@code opener} on a new thread that has entered the network namespace of process {@code pid}, and
     * returns what it opened.
     *
     * @throws NativeCallException naming the call that failed: open (no such process) or setns (not root)
     * @throws IOException         what {@code opener} threw
     */
    public static <T> T openIn(long pid, Opener<T> opener) throws IOException {
        String path = "/proc/" + pid + "/ns/net";
        AtomicReference<T> opened = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                int ns;
                try {
                    ns = LibC.INSTANCE.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
                } catch (LastErrorException e) {
                    throw Errno.failure("open(" + path + ")", e);
                }
                try {
                    LibC.INSTANCE.setns(ns, LibC.CLONE_NEWNET);
                } catch (LastErrorException e) {
                    throw Errno.failure("setns(" + path + ")", e);
                } finally {
                    try {
                        LibC.INSTANCE.close(ns);
                    } catch (LastErrorException e) {
                        // a descriptor we only read: nothing is lost
                    }
                }
                opened.set(opener.open());
            } catch (IOException | LinkageError | RuntimeException e) {
                failed.set(e);
            }
        }, "netns-" + pid);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while entering the network namespace of process " + pid, e);
        }
        Throwable failure = failed.get();
        if (failure == null) {
            return opened.get();
        }
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        throw new IOException("cannot call the C library through JNA: " + failure, failure);
    }
}
