package io.echolab.it;

import java.io.IOException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import com.github.dockerjava.api.model.Capability;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;

/**
 * A scenario in a container of its own: its own network namespace with no network but loopback, its own TCP
 * sysctls, and the lab's programs started inside it in the background, their clocks in UTC. Every program's
 * standard output, standard error, pid and exit code land in /tmp/NAME.{out,err,pid,rc}; one started with a
 * keyboard reads what {@link #type} writes to the FIFO /tmp/NAME.in. The watcher runs inside too, as jsonl.
 */
final class ContainerLab extends Lab {

    /** The article's port: each container has its own namespace, so a fixed port is safe. */
    static final int PORT = 11233;

    /** Keeps the JVMs small and quick to start: several run at once on two cores. */
    private static final String JAVA = "java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xmx96m -jar /lab/";

    private final GenericContainer<?> container;
    /** The program each name runs. */
    private final Map<String, String> programs = new HashMap<>();

    private ContainerLab(GenericContainer<?> container) {
        this.container = container;
    }

    /** Starts a container for one scenario with these sysctls (e.g. net.ipv4.tcp_fin_timeout=5), loopback only. */
    static ContainerLab start(String scenario, Map<String, String> sysctls) {
        return start(container(scenario, sysctls).withNetworkMode("none"));
    }

    /**
     * Starts a container on {@code network} (an internal one the test made: no route out), reachable from the
     * others there as {@code alias}.
     */
    static ContainerLab onNetwork(String scenario, Map<String, String> sysctls, Network network, String alias) {
        return start(container(scenario, sysctls).withNetwork(network).withNetworkAliases(alias));
    }

    /**
     * The lab's container: the image, UTC clocks, the sysctls, and NET_ADMIN (only that, named: this engine
     * refuses --privileged) so a scenario can drop packets in its own namespace with iptables.
     */
    private static GenericContainer<?> container(String scenario, Map<String, String> sysctls) {
        return new GenericContainer<>(LabImage.get())
                .withEnv("TZ", "UTC")
                .withCommand("sleep", "infinity")
                .withLabel("io.echolab.scenario", scenario)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withSysctls(Map.copyOf(sysctls))
                        .withCapAdd(Capability.NET_ADMIN));
    }

    private static ContainerLab start(GenericContainer<?> container) {
        container.start();
        return new ContainerLab(container);
    }

    @Override
    int port() {
        return PORT;
    }

    /** Each program is {@code java -jar /lab/PROGRAM.jar}, its pid in /tmp/NAME.pid (the container's numbering, as its watcher's). */
    @Override
    ExpectedOwner owner(String name) {
        String pid = file("/tmp/" + name + ".pid").trim();
        if (pid.isEmpty()) {
            throw new AssertionError("no pid file for " + name);
        }
        return new ExpectedOwner(Long.parseLong(pid), Optional.of(programs.get(name)));
    }

    @Override
    void startServer(List<String> options) throws InterruptedException {
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of("--timestamps", String.valueOf(PORT)));
        start("server", "echo-server", Input.NONE, args);
        awaitLine("server", "waiting connection to accept...", STARTUP);
    }

    @Override
    void startWatcher() throws InterruptedException {
        start("watch", "state-watcher", Input.NONE, List.of("--port", String.valueOf(PORT), "--interval",
                INTERVAL.toMillis() + "ms", "--format", "jsonl"));
        await("the watcher to start", STARTUP, () -> file("/tmp/watch.out").startsWith("{\"event\":\"start\""));
    }

    /**
     * Types on NAME's keyboard, then, as soon as NAME has printed {@code line}, runs {@code command}: one step in
     * the container, with no round trip of the test's between the two.
     */
    void typeThen(String name, String text, String line, String command) {
        ExecResult result = exec("sh", "-c", "printf '%s' \"$1\" > /tmp/" + name + ".in && "
                + "i=0; until grep -qF \"$2\" /tmp/" + name + ".out; do i=$((i + 1)); [ $i -lt 3000 ] || exit 3; sleep 0.01; done"
                + " && " + command, "sh", text, line);
        if (result.getExitCode() != 0) {
            throw new AssertionError("typing '" + text.strip() + "' on " + name + ", waiting for '" + line + "', then '"
                    + command + "' failed with " + result.getExitCode() + ": " + result.getStderr() + "\n" + describe());
        }
    }

    /** Runs iptables in this container's namespace (NET_ADMIN): e.g. {@code -A INPUT -p tcp --sport 11233 -j DROP}. */
    void iptables(String rule) {
        sh("iptables " + rule);
    }

    /** How many packets the iptables rules of a chain have matched, in rule order. */
    List<Long> matched(String chain) {
        return sh("iptables -L " + chain + " -v -n -x | awk 'NR > 2 { print $1 }'").lines().map(Long::parseLong).toList();
    }

    /** A kernel counter of this namespace, by its nstat name (TcpRetransSegs, TcpOutRsts, ...): /proc/net/snmp and netstat. */
    long counter(String name) {
        String value = sh("nstat -a -z " + name + " | awk '$1 == \"" + name + "\" { print $2 }'").trim();
        if (value.isEmpty()) {
            throw new AssertionError("no kernel counter " + name);
        }
        return Long.parseLong(value);
    }

    @Override
    void start(String name, String program, Input input, List<String> args) {
        programs.put(name, program);
        String stdin = "/dev/null";
        if (input == Input.KEYBOARD) {
            stdin = "/tmp/" + name + ".in";
            // A writer that never writes holds the FIFO open, so the program sees no EOF between typed lines
            sh("mkfifo " + stdin + " && (sleep 100000 > " + stdin + " & echo $! > /tmp/" + name + ".keyboard)");
        }
        StringBuilder command = new StringBuilder(JAVA).append(program).append(".jar");
        for (String arg : args) {
            command.append(' ').append(quote(arg));
        }
        String t = "/tmp/" + name;
        sh("(" + command + " > " + t + ".out 2> " + t + ".err < " + stdin + " & echo $! > " + t + ".pid; wait $!; "
                + "echo $? > " + t + ".rc) > /dev/null 2>&1 &");
    }

    @Override
    void type(String name, String text) {
        exec("sh", "-c", "printf '%s' \"$1\" > /tmp/" + name + ".in", "sh", text);
    }

    @Override
    void endInput(String name) {
        sh("kill $(cat /tmp/" + name + ".keyboard)");
    }

    @Override
    void stop(String name) {
        sh("kill $(cat /tmp/" + name + ".pid)");
    }

    @Override
    String rawOut(String name) {
        return file("/tmp/" + name + ".out");
    }

    @Override
    String err(String name) {
        return file("/tmp/" + name + ".err");
    }

    @Override
    OptionalInt exitCode(String name) {
        String rc = file("/tmp/" + name + ".rc").trim();
        return rc.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(rc));
    }

    @Override
    Story story() {
        return JsonlStory.read(file("/tmp/watch.out"), PORT);
    }

    @Override
    ZoneId zone() {
        return ZoneOffset.UTC;
    }

    @Override
    String kernel() {
        return sh("uname -r").trim();
    }

    @Override
    Duration recheck() {
        return Duration.ofMillis(100);
    }

    /** The host's pid of a process in this container (for watching its namespace from the host). */
    long hostPid() {
        return container.getContainerInfo().getState().getPidLong();
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

    /** Each program's output, and what ss shows now. */
    @Override
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
