package io.echolab.it;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.echolab.watcher.model.TcpState;

/**
 * Where a scenario runs, and the one way every scenario test starts the lab's programs, reads what the
 * watcher saw and waits for it: this machine's loopback with the programs in this JVM ({@link LocalLab}), or
 * a container of its own with its own network namespace and sysctls ({@link ContainerLab}).
 *
 * <p>Every server and interactive client runs with {@code --timestamps}, so a test measures what a program
 * did by its own stamps, and what the kernel did by the watcher's; never by this harness's clock, whose
 * round-trips (a docker exec, a wait) say nothing about either.
 */
abstract class Lab implements AutoCloseable {

    /** How long a program may take to start or a step to happen before the test fails, naming the step. */
    static final Duration STARTUP = Duration.ofSeconds(30);
    /** The watcher's poll interval in every lab. */
    static final Duration INTERVAL = Duration.ofMillis(1);

    /** What a program reads: nothing, or a keyboard the test types on. */
    enum Input { NONE, KEYBOARD }

    /** The server's port, once {@link #serve} has started it. */
    abstract int port();

    /** Starts echo-server with these options (and --timestamps) on the lab's port; returns once it listens. */
    abstract void startServer(List<String> options) throws InterruptedException;

    /** Starts the watcher on the lab's port; returns once it watches. */
    abstract void startWatcher() throws InterruptedException;

    /** Starts {@code program} (echo-server, echo-client or state-watcher) as NAME with these arguments. */
    abstract void start(String name, String program, Input input, List<String> args);

    /** Types on NAME's keyboard. */
    abstract void type(String name, String text);

    /** Ctrl-D on NAME's keyboard. */
    abstract void endInput(String name);

    /** NAME's standard output as printed, stamps and all. */
    abstract String rawOut(String name);

    /** NAME's standard error. */
    abstract String err(String name);

    /** NAME's exit code, once it has exited. */
    abstract OptionalInt exitCode(String name);

    /** Stops NAME as Ctrl-C or SIGTERM would. */
    abstract void stop(String name);

    /** What the watcher has seen so far. */
    abstract Story story();

    /** The zone the programs' stamps are in. */
    abstract java.time.ZoneId zone();

    /** The kernel the scenario runs on, for messages about what it did. */
    abstract String kernel();

    /** How often a wait looks again. */
    abstract Duration recheck();

    /**
     * The process the watcher should name as NAME's socket owner: its pid as the watcher numbers it, and its
     * command when it runs as a program of its own (empty for one run in this JVM).
     */
    abstract ExpectedOwner owner(String name);

    /** Who should be seen holding a program's sockets. */
    record ExpectedOwner(long pid, Optional<String> command) {
    }

    /** Extra lines for a failure message: whatever the lab can tell about its programs. */
    abstract String diagnostics();

    // What every scenario does the same way

    /** The server with these options, then the watcher on its port; returns once the watcher sees the listener. */
    void serve(String... serverOptions) throws InterruptedException {
        startServer(List.of(serverOptions));
        startWatcher();
        awaitStory("the watcher to see the listener", STARTUP, story -> story.listener().isPresent());
    }

    /** {@link #serve}, then a client at its prompt connected to 127.0.0.1; returns once both ends are ESTABLISHED. */
    void connect(List<String> serverOptions, List<String> clientOptions) throws InterruptedException {
        connect("127.0.0.1", serverOptions, clientOptions);
    }

    /** As {@link #connect(List, List)}, the client connecting to {@code host}. */
    void connect(String host, List<String> serverOptions, List<String> clientOptions) throws InterruptedException {
        serve(serverOptions.toArray(String[]::new));
        List<String> args = new ArrayList<>(clientOptions);
        args.add("--timestamps");
        args.addAll(List.of(host, Integer.toString(port())));
        start("client", "echo-client", Input.KEYBOARD, args);
        awaitStory("both ends ESTABLISHED", STARTUP,
                s -> s.clientSide().map(c -> c.states().contains(TcpState.ESTABLISHED)).orElse(false)
                        && s.serverSide().map(c -> c.states().contains(TcpState.ESTABLISHED)).orElse(false));
    }

    /** The article's session: types "aa", waits for its echo, types "q". */
    void echoAndQuit() throws InterruptedException {
        type("client", "aa\n");
        awaitLine("client", "Message from server: aa", STARTUP);
        type("client", "q\n");
    }

    /** NAME's standard output without stamps: the C program's lines. */
    String out(String name) {
        return Stamped.unstamped(rawOut(name));
    }

    /** NAME's lines with their stamps. */
    List<Stamped> stamped(String name) {
        return Stamped.parse(rawOut(name), zone(), Instant.now());
    }

    /** When NAME printed the first line containing {@code text}: its own stamp. */
    Instant stamp(String name, String text) {
        return stamped(name).stream().filter(line -> line.text().contains(text) && line.time() != null).findFirst()
                .orElseThrow(() -> new AssertionError(name + " printed no stamped line with '" + text + "':\n" + rawOut(name)))
                .time();
    }

    int awaitExit(String name, Duration timeout) throws InterruptedException {
        await(name + " to exit", timeout, () -> exitCode(name).isPresent());
        return exitCode(name).getAsInt();
    }

    /** Waits until NAME has printed a line containing {@code text}; returns its output without stamps. */
    String awaitLine(String name, String text, Duration timeout) throws InterruptedException {
        await(name + " to print '" + text + "'", timeout, () -> out(name).lines().anyMatch(l -> l.contains(text)));
        return out(name);
    }

    /** Waits until the watcher's story satisfies the condition; fails showing the story. */
    Story awaitStory(String what, Duration timeout, Predicate<Story> condition) throws InterruptedException {
        await(what, timeout, () -> condition.test(story()));
        return story();
    }

    /** Waits for a condition with a deadline; on timeout, fails naming it, with the story and the programs' output. */
    void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\n" + describe());
            }
            Thread.sleep(recheck().toMillis());
        }
    }

    /** The story and the programs' output, for failure messages. */
    String describe() {
        return "the watcher saw:\n" + safely(() -> story().describe()) + diagnostics();
    }

    private static String safely(Supplier<String> text) {
        try {
            return text.get();
        } catch (RuntimeException e) {
            return "(" + e + ")\n";
        }
    }
}
