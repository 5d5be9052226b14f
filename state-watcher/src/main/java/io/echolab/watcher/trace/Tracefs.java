package io.echolab.watcher.trace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where tracefs is, mounting it when it is not (and unmounting it again on {@link #release}), and the
 * private instances the watcher makes there.
 */
final class Tracefs {

    static final Path TRACING = Path.of("/sys/kernel/tracing");
    /** Older systems mount it only under debugfs. */
    static final Path DEBUG_TRACING = Path.of("/sys/kernel/debug/tracing");
    static final String INSTANCE_PREFIX = "echolab-watcher-";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final Path root;
    private final boolean mountedHere;

    private Tracefs(Path root, boolean mountedHere) {
        this.root = root;
        this.mountedHere = mountedHere;
    }

    Path root() {
        return root;
    }

    /**
     * The tracefs to use: /sys/kernel/tracing, or under debugfs; mounted on /sys/kernel/tracing when neither
     * is there (root only).
     */
    static Tracefs find() throws TraceUnavailableException {
        for (Path candidate : List.of(TRACING, DEBUG_TRACING)) {
            if (Files.isDirectory(candidate.resolve("instances"))) {
                return new Tracefs(candidate, false);
            }
            if (Files.isDirectory(candidate) && !Files.isReadable(candidate)) {
                throw new TraceUnavailableException(candidate + ": Permission denied", true);
            }
        }
        if (!isRoot()) {
            throw new TraceUnavailableException("tracefs is not mounted, and mounting it needs root", true);
        }
        run("mount tracefs", "mount", "-t", "tracefs", "nodev", TRACING.toString());
        if (!Files.isDirectory(TRACING.resolve("instances"))) {
            throw new TraceUnavailableException("mounted tracefs on " + TRACING + ", but it has no instances/", false);
        }
        return new Tracefs(TRACING, true);
    }

    /** The event's directory in an instance, or empty when this kernel has no such event. */
    static Optional<Path> event(Path instance, String system, String event) {
        Path dir = instance.resolve("events").resolve(system).resolve(event);
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * Removes instances left by watchers that were killed (SIGKILL leaves no chance to clean up). An
     * instance still in use cannot be removed (its trace_pipe is open: EBUSY), so a live watcher's is safe.
     */
    void removeStaleInstances() {
        try (DirectoryStream<Path> instances = Files.newDirectoryStream(root.resolve("instances"), INSTANCE_PREFIX + "*")) {
            for (Path instance : instances) {
                Optional<Long> pid = ownerPid(instance.getFileName().toString());
                if (pid.isPresent() && ProcessHandle.of(pid.get()).isEmpty()) {
                    try {
                        Files.delete(instance);
                    } catch (IOException e) {
                        // in use after all, or not ours to remove: leave it
                    }
                }
            }
        } catch (IOException e) {
            // nothing to clean, or no right to look: the new instance does not depend on it
        }
    }

    /** The pid in an instance name {@code echolab-watcher-PID-N}. */
    static Optional<Long> ownerPid(String name) {
        if (!name.startsWith(INSTANCE_PREFIX)) {
            return Optional.empty();
        }
        String rest = name.substring(INSTANCE_PREFIX.length());
        int dash = rest.indexOf('-');
        try {
            return Optional.of(Long.parseLong(dash < 0 ? rest : rest.substring(0, dash)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Unmounts tracefs if this process mounted it; a tracefs someone else mounted stays. */
    void release() {
        if (mountedHere) {
            try {
                run("unmount tracefs", "umount", root.toString());
            } catch (TraceUnavailableException e) {
                // busy (another tracer started meanwhile): leaving it mounted harms no one
            }
        }
    }

    /** Writes {@code value} to a tracefs control file, as {@code echo value > file} does. */
    static void write(Path file, String value) throws IOException {
        try {
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII);
        } catch (AccessDeniedException e) {
            throw new TraceUnavailableException(file + ": Permission denied", true, e);
        }
    }

    /** The effective uid is 0 (from /proc/self/status); false when it cannot be read. */
    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
        return false;
    }

    private static void run(String what, String... command) throws TraceUnavailableException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            boolean done = process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!done) {
                process.destroyForcibly();
                throw new TraceUnavailableException(what + ": '" + String.join(" ", command) + "' did not finish", false);
            }
            if (process.exitValue() != 0) {
                throw new TraceUnavailableException(what + ": " + (output.isEmpty() ? "exit " + process.exitValue() : output),
                        false);
            }
        } catch (IOException e) {
            throw new TraceUnavailableException(what + ": " + e.getMessage(), false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TraceUnavailableException(what + ": interrupted", false, e);
        }
    }
}
