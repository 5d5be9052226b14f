package io.echolab.it;

import static io.echolab.it.Expect.phase;
import static io.echolab.it.Expect.pollable;
import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.echolab.common.ExitCode;
import io.echolab.watcher.StateWatcherCommand;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.proc.ProcNetTcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * The operator's view: state-watcher on the host, {@code --pid} of a process inside a container, watches that
 * container's network namespace (as root, entering it for netlink) and sees the article's close there, while
 * the host's own table has no such connection.
 */
@ExtendWith(DockerRequired.class)
class HostWatchesContainerIT {

    private static final Duration CLOSE_DELAY = Duration.ofSeconds(2);

    @Test
    void pidWatchesTheContainersNamespace() throws Exception {
        try (ContainerLab lab = ContainerLab.start("host-watch", Map.of())) {
            lab.startServer(List.of("--clients", "1", "--close-delay", "2s"));

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine watcher = StateWatcherCommand.newCommandLine();
            watcher.setOut(new PrintWriter(out, true));
            watcher.setErr(new PrintWriter(err, true));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> watcher.execute(
                    "--pid", String.valueOf(lab.hostPid()), "--port", String.valueOf(lab.port()), "--interval", "1ms",
                    "--format", "jsonl", "--duration", "12s"));
            awaitHostStory(lab, out, "the listener, seen from the host", s -> s.listener().isPresent());

            lab.start("client", "echo-client", Lab.Input.KEYBOARD,
                    List.of("--hold", "0", "--timestamps", "127.0.0.1", String.valueOf(lab.port())));
            awaitHostStory(lab, out, "both ends, seen from the host", s -> s.clientSide().isPresent() && s.serverSide().isPresent());
            lab.echoAndQuit();
            Story story = awaitHostStory(lab, out, "the client's TIME_WAIT, seen from the host",
                    s -> s.clientSide().orElseThrow().states().contains(TcpState.TIME_WAIT)
                            && s.serverSide().orElseThrow().gone());

            Connection client = story.clientSide().orElseThrow();
            Connection server = story.serverSide().orElseThrow();
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT), pollable(client),
                    "the article's close, in the container's namespace", lab);
            Expect.states(List.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT), pollable(server), "its server side", lab);
            Expect.lastedAtLeast(phase(server, TcpState.CLOSE_WAIT), CLOSE_DELAY, "CLOSE_WAIT for the close delay", lab);
            Expect.madeAfterStamp(phase(server, TcpState.CLOSE_WAIT).end(), lab.stamp("server", "server close client socket"),
                    "CLOSE_WAIT ends with the server's close(), stamped in the container", lab);

            int clientPort = client.key().local().getPort();
            assertTrue(ProcNetTcp.read(Path.of("/proc")).stream().noneMatch(row -> row.local().getPort() == clientPort
                            && row.remote().getPort() == lab.port()),
                    "the host's own table has no such connection: it lives in the container's namespace");
            assertEquals(ExitCode.OK, exit.get(30, TimeUnit.SECONDS), err.toString());
        }
    }

    private static Story awaitHostStory(ContainerLab lab, StringWriter out, String what, Predicate<Story> condition)
            throws InterruptedException {
        lab.await(what, STARTUP, () -> condition.test(JsonlStory.read(out.toString(), lab.port())));
        return JsonlStory.read(out.toString(), lab.port());
    }
}
