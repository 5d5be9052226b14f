package io.echolab.watcher;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.sun.jna.Native;
import io.echolab.common.ExitCode;
import picocli.CommandLine;

/**
 * The watcher as its own process, for what only a process shows: signals, a closed pipe, another user.
 * Started through perl, which resets SIGINT to its default first: a shell that runs jobs in the background
 * leaves them ignoring SIGINT, and a JVM that starts ignoring it keeps ignoring it.
 */
final class WatcherProcess implements AutoCloseable {

    static final Path INSTANCES = Path.of("/sys/kernel/tracing/instances");

    final Process process;

    private WatcherProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code state-watcher ARGS} with its output on pipes this test reads (or does not). */
    static WatcherProcess start(List<String> prefix, String classpath, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
                StateWatcherCommand.class.getName()));
        command.addAll(List.of(args));
        return new WatcherProcess(new ProcessBuilder(command).start());
    }

    static WatcherProcess start(String... args) throws IOException {
        return start(List.of(), classpath(), args);
    }

    /** What the watcher needs to run: its classes, lab-common's, picocli and JNA. */
    static String classpath() {
        return String.join(":", classpathEntries().stream().map(Path::toString).toList());
    }

    private static List<Path> classpathEntries() {
        List<Path> entries = new ArrayList<>();
        for (Class<?> type : List.of(StateWatcherCommand.class, ExitCode.class, CommandLine.class, Native.class)) {
            try {
                entries.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return entries;
    }

    /** A copy of the classpath anyone can read (the build's may sit under root's 0700 home). */
    static String readableClasspath(Path dir) throws IOException {
        List<String> copies = new ArrayList<>();
        int i = 0;
        for (Path entry : classpathEntries()) {
            Path copy = dir.resolve("cp" + i++);
            if (Files.isDirectory(entry)) {
                try (Stream<Path> files = Files.walk(entry)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        Path target = copy.resolve(entry.relativize(file).toString());
                        if (Files.isDirectory(file)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                copy = dir.resolve("cp" + i + ".jar");
                Files.copy(entry, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            copies.add(copy.toString());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(":", copies);
    }

    /** The watcher's pid (perl exec'd into the JVM, so it is the same process). */
    long pid() {
        return process.pid();
    }

    /** The tracefs instance this process made, once it has. */
    Optional<Path> instance() throws IOException {
        if (!Files.isDirectory(INSTANCES)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> all = Files.newDirectoryStream(INSTANCES, "echolab-watcher-" + pid() + "-*")) {
            for (Path instance : all) {
                return Optional.of(instance);
            }
        }
        return Optional.empty();
    }

    /** Sends a signal by name (INT, TERM) to this process, by its pid. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
        }
    }

    /** True when one of its threads is blocked writing to a full pipe. */
    boolean blockedOnPipe() throws IOException {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid()), "task"))) {
            for (Path task : tasks) {
                try {
                    if (Files.readString(task.resolve("wchan"), StandardCharsets.US_ASCII).contains("pipe_write")) {
                        return true;
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return false;
    }

    /** The exit code, waiting at most {@code seconds}; fails if it is still running then. */
    int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the watcher still runs after " + seconds + " s");
        }
        return process.exitValue();
    }

    String stderr() throws IOException {
        return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
