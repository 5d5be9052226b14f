package io.echolab.watcher.netlink;

import com.sun.jna.LastErrorException;

/** Standard output's state, asked of the kernel without writing to it. */
public final class Stdout {

    private static final int STDOUT_FILENO = 1;

    private Stdout() {
    }

    /**
     * True when standard output is a pipe or socket whose reader has gone: poll(2) reports POLLERR on a
     * pipe with no reader left (pipe_poll) and POLLHUP on a closed socket. False for a terminal or a file,
     * and when poll cannot be called.
     */
    public static boolean readerGone() {
        LibC.Pollfd[] fds = (LibC.Pollfd[]) new LibC.Pollfd().toArray(1);
        fds[0].fd = STDOUT_FILENO;
        fds[0].events = 0;   // POLLERR and POLLHUP are always reported
        try {
            if (LibC.INSTANCE.poll(fds, 1, 0) <= 0) {
                return false;
            }
        } catch (LastErrorException | LinkageError e) {
            return false;
        }
        fds[0].read();
        return (fds[0].revents & (LibC.POLLERR | LibC.POLLHUP)) != 0;
    }
}
