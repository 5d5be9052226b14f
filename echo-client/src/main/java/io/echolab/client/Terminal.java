package io.echolab.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a standard stream is a terminal, as isatty(3) says, read from {@code /proc/self/fd/N}: the link
 * names the device a descriptor is open on. System.console() cannot say it: it asks about standard input
 * and output together, never about standard error, where load mode's progress line goes.
 */
final class Terminal {

    private Terminal() {
    }

    /** Whether this process's descriptor {@code fd} (0, 1, 2) is open on a terminal. */
    static boolean isTerminal(int fd) {
        return isTerminal(Path.of("/proc/self/fd", Integer.toString(fd)));
    }

    /** Whether the descriptor link points to a terminal device: a pseudo-terminal, a console or a serial line. */
    static boolean isTerminal(Path fdLink) {
        try {
            String device = Files.readSymbolicLink(fdLink).toString();
            return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty") || device.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
