package io.echolab.it;

import static io.echolab.it.LabContainer.PORT;
import static io.echolab.it.Scenarios.STARTUP;
import static io.echolab.it.Scenarios.TOLERANCE;
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
import io.echolab.watcher.proc.ProcNetTcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * The operator's view: state-watcher on the host, {@code --pid} of a process inside a container, reads that
 * container's network namespace (/proc/PID/net/tcp) and sees the article's close there, while the host's own
 * table has no such connection.
 */
@ExtendWith(DockerRequired.class)
class HostWatchesContainerIT {

    @Test
    void pidWatchesTheContainersNamespace() throws Exception {
        try (LabContainer lab = LabContainer.start("host-watch", Map.of())) {
            lab.run("server", "echo-server", "--clients", "1", "--close-delay", "2s", String.valueOf(PORT));
            lab.awaitLine("server", "waiting connection to accept...", STARTUP);

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine watcher = StateWatcherCommand.newCommandLine();
            watcher.setOut(new PrintWriter(out, true));
            watcher.setErr(new PrintWriter(err, true));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> watcher.execute(
                    "--pid", String.valueOf(lab.hostPid()), "--port", String.valueOf(PORT), "--interval", "1ms",
                    "--format", "jsonl", "--duration", "12s"));
            awaitHostLog(out, "the listener, seen from the host", l -> l.listener(PORT).isPresent());

            lab.runWithKeyboard("client", "echo-client", "--hold", "0", "127.0.0.1", String.valueOf(PORT));
            awaitHostLog(out, "both ends ESTABLISHED, seen from the host",
                    l -> l.clientSide(PORT).isPresent() && l.serverSide(PORT).isPresent());
            Scenarios.echoAndQuit(lab);
            WatchLog log = awaitHostLog(out, "the client's TIME_WAIT, seen from the host",
                    l -> l.clientSide(PORT).orElseThrow().states().contains("TIME_WAIT"));

            WatchLog.Connection client = log.clientSide(PORT).orElseThrow();
            WatchLog.Connection server = log.serverSide(PORT).orElseThrow();
            assertEquals(List.of("ESTABLISHED", "FIN_WAIT2", "TIME_WAIT"), client.pollableStates(), log.describe());
            assertEquals(List.of("ESTABLISHED", "CLOSE_WAIT", "CLOSED"), server.pollableStates(), log.describe());
            Scenarios.assertLasted(server, "CLOSE_WAIT", Duration.ofSeconds(2), TOLERANCE, "CLOSE_WAIT for the close delay");

            int clientPort = client.events().get(0).localPort();
            assertTrue(ProcNetTcp.read(Path.of("/proc")).stream().noneMatch(row -> row.local().getPort() == clientPort
                            && row.remote().getPort() == PORT),
                    "the host's own table has no such connection: it lives in the container's namespace");
            assertEquals(ExitCode.OK, exit.get(30, TimeUnit.SECONDS), err.toString());
        }
    }

    private static WatchLog awaitHostLog(StringWriter out, String what, Predicate<WatchLog> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!condition.test(WatchLog.parse(out.toString()))) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what + "; the host's watcher wrote:\n" + out);
            }
            Thread.sleep(50);
        }
        return WatchLog.parse(out.toString());
    }
}
