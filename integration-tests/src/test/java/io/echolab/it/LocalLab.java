package io.echolab.it;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.echolab.client.EchoClientCommand;
import io.echolab.server.EchoServerCommand;
import io.echolab.watcher.Backend;
import io.echolab.watcher.StateWatcherCommand;
import picocli.CommandLine;

/**
 * A scenario on this machine's loopback: the programs run in this JVM, each on its own thread exactly as its
 * main would run it (real sockets on the real kernel: only the process boundary is missing), the server on a
 * port the kernel picks, and the watcher in-process with the best backend this machine allows (the
 * tracepoint as root, else netlink).
 */
final class LocalLab extends Lab {

    private static final Pattern LISTENING = Pattern.compile("listening on \\S+:(\\d+)");

    /** Opens the watcher's backend for the server's port. */
    @FunctionalInterface
    interface Watching {
        Backend on(int port) throws IOException;
    }

    private final Watching watching;
    private final Map<String, Program> programs = new LinkedHashMap<>();
    private final Map<String, Keyboard> keyboards = new LinkedHashMap<>();
    private int port;
    private KernelWatch kernel;

    private LocalLab(Watching watching) {
        this.watching = watching;
    }

    /** A lab watched by the best backend this machine allows. */
    static LocalLab start() {
        return new LocalLab(port -> Backend.auto(Set.of(port)));
    }

    /** A lab watched by the given backend. */
    static LocalLab watchedBy(Watching watching) {
        return new LocalLab(watching);
    }

    @Override
    int port() {
        return port;
    }

    /** The programs run in this JVM: this process holds every socket. */
    @Override
    ExpectedOwner owner(String name) {
        return new ExpectedOwner(ProcessHandle.current().pid(), Optional.empty());
    }

    @Override
    void startServer(List<String> options) throws InterruptedException {
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of("--timestamps", "0"));
        start("server", "echo-server", Input.NONE, args);
        String line = programs.get("server").stdout.awaitLine("listening on", STARTUP);
        Matcher m = LISTENING.matcher(Stamped.unstamped(line));
        if (!m.find()) {
            throw new AssertionError("no port in the server's output: " + line);
        }
        port = Integer.parseInt(m.group(1));
    }

    @Override
    void startWatcher() {
        try {
            kernel = new KernelWatch(port, watching.on(port));
        } catch (IOException e) {
            throw new AssertionError("the watcher cannot watch port " + port + ": " + e.getMessage(), e);
        }
    }

    /** The in-process watcher, for what only it can tell (the latest rows). */
    KernelWatch kernelWatch() {
        return kernel;
    }

    @Override
    void start(String name, String program, Input input, List<String> args) {
        OutputSink stdout = new OutputSink();
        InputStream stdin = InputStream.nullInputStream();
        if (input == Input.KEYBOARD) {
            Keyboard keyboard = new Keyboard();
            keyboards.put(name, keyboard);
            stdin = keyboard;
        }
        CommandLine command = switch (program) {
            case "echo-server" -> EchoServerCommand.newCommandLine(stdout);
            case "echo-client" -> EchoClientCommand.newCommandLine(stdin, stdout, false);
            case "state-watcher" -> StateWatcherCommand.newCommandLine();
            default -> throw new IllegalArgumentException("no such program: " + program);
        };
        programs.put(name, new Program(name, stdout, command, args.toArray(String[]::new)));
    }

    @Override
    void type(String name, String text) {
        keyboard(name).type(text);
    }

    @Override
    void endInput(String name) {
        keyboard(name).close();
    }

    private Keyboard keyboard(String name) {
        Keyboard keyboard = keyboards.get(name);
        if (keyboard == null) {
            throw new IllegalStateException(name + " has no keyboard");
        }
        return keyboard;
    }

    @Override
    String rawOut(String name) {
        return program(name).out();
    }

    @Override
    String err(String name) {
        return program(name).err();
    }

    @Override
    OptionalInt exitCode(String name) {
        return program(name).exitCode();
    }

    @Override
    void stop(String name) {
        program(name).close();
    }

    private Program program(String name) {
        Program program = programs.get(name);
        if (program == null) {
            throw new IllegalStateException("no program " + name + " was started");
        }
        return program;
    }

    @Override
    Story story() {
        if (kernel == null) {
            return new Story(port, List.of());
        }
        return kernel.story();
    }

    @Override
    ZoneId zone() {
        return ZoneId.systemDefault();
    }

    @Override
    String kernel() {
        return System.getProperty("os.version");
    }

    @Override
    Duration recheck() {
        return Duration.ofMillis(5);
    }

    @Override
    String diagnostics() {
        StringBuilder text = new StringBuilder();
        programs.forEach((name, program) -> text.append("== ").append(name).append(" out\n").append(program.out())
                .append("== ").append(name).append(" err\n").append(program.err()));
        return text.toString();
    }

    @Override
    public void close() {
        if (kernel != null) {
            kernel.close();
        }
        keyboards.values().forEach(Keyboard::close);
        new ArrayList<>(programs.values()).forEach(Program::close);
    }
}
