package io.echolab.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.echolab.common.ExitCode;
import picocli.CommandLine;

/**
 * A program in a JVM of its own, for what only a process shows: signals and its exit status. Started through
 * perl, which resets SIGINT to its default first: a shell that runs jobs in the background leaves them
 * ignoring SIGINT, and a JVM that starts ignoring it keeps ignoring it.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private ChildJvm(Process process) {
        this.process = process;
        drain(process.getInputStream(), stdout, "stdout");
        drain(process.getErrorStream(), stderr, "stderr");
    }

    /** Starts {@code mainClass ARGS} with its own module's classes, lab-common's and picocli on its classpath. */
    public static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath(mainClass),
                mainClass.getName()));
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).start());
    }

    private static String classpath(Class<?> mainClass) {
        List<String> entries = new ArrayList<>();
        for (Class<?> type : List.of(mainClass, ExitCode.class, CommandLine.class)) {
            try {
                entries.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(":", entries);
    }

    private static void drain(InputStream in, ByteArrayOutputStream sink, String name) {
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    synchronized (sink) {
                        sink.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "child-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    public String out() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    public String err() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    /** Its standard input, for a client that reads its lines there. */
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    public long pid() {
        return process.pid();
    }

    /** Sends a signal by name (INT, TERM) to this process, by its pid. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
        }
    }

    /** The exit status, waiting at most {@code seconds}; fails if it still runs then. */
    public int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("still running after " + seconds + " s; stdout: " + out() + "; stderr: " + err());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
