package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S19: a server that closed first cannot restart on its port while that connection's TIME_WAIT lasts.
 * echo_server2.c sets no SO_REUSEADDR, so a new server's bind() fails with "Address already in use". The
 * kernel lets a socket bind beside a TIME_WAIT only when both have SO_REUSEADDR (inet_bind_conflict() checks
 * {@code sk->sk_reuse && sk2->sk_reuse}; the TIME_WAIT keeps the accepted socket's, which it inherited from
 * the listener): so {@code --reuse-address} on the restart alone is not enough; on both servers, the new
 * listener sits beside the TIME_WAIT row.
 */
@ExtendWith(DockerRequired.class)
class S19RestartBesideTimeWaitIT {

    @Test
    void withoutSoReuseAddrTheRestartFailsAsTheCProgramDoes() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S19", Map.of())) {
            closeFirst(lab, List.of());

            restartFails(lab, "again", List.of());
            // The TIME_WAIT was made without SO_REUSEADDR: setting it on the new listener alone does not help
            restartFails(lab, "reuse", List.of("--reuse-address"));
        }
    }

    @Test
    void withSoReuseAddrOnBothTheRestartBindsBesideTheTimeWait() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S19", Map.of())) {
            closeFirst(lab, List.of("--reuse-address"));

            restartFails(lab, "again", List.of()); // the new server without it still cannot
            lab.start("reuse", "echo-server", Lab.Input.NONE,
                    List.of("--reuse-address", "--timestamps", String.valueOf(lab.port())));
            lab.awaitLine("reuse", "waiting connection to accept...", STARTUP);
            Story story = lab.awaitStory("a new listener on the port", STARTUP, s -> newListener(s).isPresent());
            Phase timeWait = Expect.phase(story.serverSide().orElseThrow(), TcpState.TIME_WAIT);
            Connection listener = newListener(story).orElseThrow();
            assertTrue(timeWait.end() == null || timeWait.end().isAfter(listener.phases().get(0).start()),
                    "the new listener came up beside the TIME_WAIT row, not after it ended\n" + lab.describe());
            assertEquals(List.of(TcpState.LISTEN), listener.states());
            Expect.ownedBy(listener, lab.owner("reuse"), "the restarted server holds the listener", lab);
        }
    }

    /** The server (with these options) closes first after one echo and exits: TIME_WAIT on the server's port. */
    private static void closeFirst(ContainerLab lab, List<String> serverOptions) throws InterruptedException {
        List<String> options = new ArrayList<>(serverOptions);
        options.addAll(List.of("--clients", "1", "--close-after", "1"));
        lab.connect(options, List.of("--hold", "0"));
        lab.echoAndQuit();
        assertEquals(ExitCode.OK, lab.awaitExit("server", STARTUP), lab.err("server"));
        lab.awaitStory("the server's side in TIME_WAIT on the server's port", STARTUP,
                s -> s.serverSide().orElseThrow().last().state() == TcpState.TIME_WAIT);
    }

    /** A server started as NAME with these options cannot bind while the TIME_WAIT is there. */
    private static void restartFails(ContainerLab lab, String name, List<String> serverOptions) throws InterruptedException {
        List<String> args = new ArrayList<>(serverOptions);
        args.addAll(List.of("--timestamps", String.valueOf(lab.port())));
        lab.start(name, "echo-server", Lab.Input.NONE, args);
        assertEquals(ExitCode.ADDRESS_IN_USE, lab.awaitExit(name, STARTUP), lab.err(name));
        assertEquals("bind socket failed: Address already in use", lab.err(name).lines().findFirst().orElse(""),
                "echo_server2.c's line");
        assertEquals(TcpState.TIME_WAIT, lab.story().serverSide().orElseThrow().last().state(),
                "the TIME_WAIT was still there when bind() failed\n" + lab.describe());
    }

    /** A listener that began while watching: the restarted server's (the first server's was there before). */
    private static Optional<Connection> newListener(Story story) {
        return story.connections(c -> c.key().remote().getPort() == 0 && !c.gone()).stream().findFirst();
    }
}
