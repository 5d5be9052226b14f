package io.echolab.it;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Predicate;

import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/**
 * One scenario's container: its own network namespace with no network but loopback, its own TCP sysctls,
 * and the lab's programs started inside it in the background. Every program's standard output, standard
 * error, pid and exit code land in /tmp/NAME.{out,err,pid,rc}; a program started with a keyboard reads
 * what {@link #type} writes to the FIFO /tmp/NAME.in.
 */
final class LabContainer implements AutoCloseable {

    /** The article's port: each container has its own namespace, so a fixed port is safe. */
    static final int PORT = 11233;

    /** Keeps the JVMs small and quick to start: several run at once on two cores. */
    private static final String JAVA = "java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xmx96m -jar /lab/";
    private static final Duration POLL = Duration.ofMillis(100);

    private final GenericContainer<?> container;

    private LabContainer(GenericContainer<?> container) {
        this.container = container;
    }

    /** Starts a container for one scenario with these sysctls (e.g. net.ipv4.tcp_fin_timeout=5). */
    static LabContainer start(String scenario, Map<String, String> sysctls) {
        GenericContainer<?> container = new GenericContainer<>(LabImage.get())
                .withNetworkMode("none")
                .withCommand("sleep", "infinity")
                .withLabel("io.echolab.scenario", scenario)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withSysctls(Map.copyOf(sysctls)));
        container.start();
        return new LabContainer(container);
    }

    /** Starts {@code program} (echo-server, echo-client or state-watcher) in the background as NAME. */
    void run(String name, String program, String... args) {
        background(name, program, args, "/dev/null");
    }

    /** Like {@link #run}, with standard input from a keyboard the test types on. */
    void runWithKeyboard(String name, String program, String... args) {
        String fifo = "/tmp/" + name + ".in";
        // A writer that never writes holds the FIFO open, so the program sees no EOF between typed lines
        sh("mkfifo " + fifo + " && (sleep 100000 > " + fifo + " &)");
        background(name, program, args, fifo);
    }

    private void background(String name, String program, String[] args, String stdin) {
        StringBuilder command = new StringBuilder(JAVA).append(program).append(".jar");
        for (String arg : args) {
            command.append(' ').append(quote(arg));
        }
        String t = "/tmp/" + name;
        sh("(" + command + " > " + t + ".out 2> " + t + ".err < " + stdin + " & echo $! > " + t + ".pid; wait $!; "
                + "echo $? > " + t + ".rc) > /dev/null 2>&1 &");
    }

    /** Types text on NAME's keyboard. */
    void type(String name, String text) {
        exec("sh", "-c", "printf '%s' \"$1\" > /tmp/" + name + ".in", "sh", text);
    }

    /** Sends SIGTERM to NAME, by the pid it was started with. */
    void stop(String name) {
        sh("kill $(cat /tmp/" + name + ".pid)");
    }

    String out(String name) {
        return file("/tmp/" + name + ".out");
    }

    String err(String name) {
        return file("/tmp/" + name + ".err");
    }

    /** NAME's exit code, once it has exited. */
    OptionalInt exitCode(String name) {
        String rc = file("/tmp/" + name + ".rc").trim();
        return rc.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(rc));
    }

    int awaitExit(String name, Duration timeout) throws InterruptedException {
        await(name + " to exit", timeout, () -> exitCode(name).isPresent());
        return exitCode(name).getAsInt();
    }

    /** Waits until NAME has printed a line containing {@code text}; returns all it printed. */
    String awaitLine(String name, String text, Duration timeout) throws InterruptedException {
        await(name + " to print '" + text + "'", timeout, () -> out(name).lines().anyMatch(l -> l.contains(text)));
        return out(name);
    }

    /** The watcher's jsonl so far (the watcher must have been started as "watch" with --format jsonl). */
    WatchLog watch() {
        return WatchLog.parse(file("/tmp/watch.out"));
    }

    /** Waits until the watcher's log satisfies the condition; fails showing the log. */
    WatchLog awaitWatch(String what, Duration timeout, Predicate<WatchLog> condition) throws InterruptedException {
        await(what, timeout, () -> condition.test(watch()));
        return watch();
    }

    /** Starts the watcher on the article's port and waits for its first poll to report the listener. */
    void startWatcher() throws InterruptedException {
        run("watch", "state-watcher", "--port", String.valueOf(PORT), "--interval", "1ms", "--format", "jsonl");
        awaitWatch("the watcher to see the listener", Duration.ofSeconds(30), log -> log.listener(PORT).isPresent());
    }

    /** The host's pid of a process in this container (for watching its namespace from the host). */
    long hostPid() {
        return container.getContainerInfo().getState().getPidLong();
    }

    String kernel() {
        return sh("uname -r").trim();
    }

    /** Runs a shell command and returns its standard output; a non-zero exit fails the test. */
    String sh(String command) {
        ExecResult result = exec("sh", "-c", command);
        if (result.getExitCode() != 0) {
            throw new AssertionError("'" + command + "' failed with " + result.getExitCode() + ": " + result.getStderr());
        }
        return result.getStdout();
    }

    private String file(String path) {
        return exec("sh", "-c", "cat " + path + " 2>/dev/null || true").getStdout();
    }

    private ExecResult exec(String... command) {
        try {
            return container.execInContainer(command);
        } catch (IOException e) {
            throw new AssertionError("docker exec failed: " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during docker exec", e);
        }
    }

    private void await(String what, Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\n" + diagnostics());
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Everything a failed wait needs to be understood: each program's output and the watcher's view. */
    String diagnostics() {
        return exec("sh", "-c", "for f in /tmp/*.out /tmp/*.err /tmp/*.rc; do [ -s \"$f\" ] && "
                + "{ echo \"== $f\"; tail -c 4000 \"$f\"; }; done; echo '== ss -tan'; ss -tan").getStdout();
    }

    private static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    @Override
    public void close() {
        container.stop();
    }
}
