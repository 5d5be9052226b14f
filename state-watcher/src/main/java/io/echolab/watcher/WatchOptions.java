package io.echolab.watcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What to watch and how to print it, as the command line gave it.
 *
 * @param ports    sockets with one of these as their local or remote port; empty for every socket
 * @param duration how long to watch; empty for until stopped (Ctrl-C)
 * @param procRoot where net/tcp and net/tcp6 are: /proc, /proc/PID, or a fixture directory
 * @param pid      the process whose network namespace procRoot is, when one was given
 */
public record WatchOptions(Set<Integer> ports, Duration interval, Optional<Duration> duration, Path procRoot,
        OptionalInt pid, OutputFormat format, boolean everyPoll, BackendChoice backend) {

    public WatchOptions {
        ports = Set.copyOf(ports);
        for (int port : ports) {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("--port must be from 1 to 65535, not " + port);
            }
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("--interval must be more than 0");
        }
        if (duration.isPresent() && (duration.get().isNegative() || duration.get().isZero())) {
            throw new IllegalArgumentException("--duration must be more than 0 (leave it out to watch until Ctrl-C)");
        }
        Objects.requireNonNull(procRoot, "procRoot");
        if (pid.isPresent() && pid.getAsInt() < 1) {
            throw new IllegalArgumentException("--pid must be a process id, 1 or more, not " + pid.getAsInt());
        }
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(backend, "backend");
        if (everyPoll && !format.table()) {
            throw new IllegalArgumentException("--every-poll only applies to --format netstat or ss");
        }
    }
}
