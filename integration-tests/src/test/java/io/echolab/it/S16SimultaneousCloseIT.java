package io.echolab.it;

import static io.echolab.it.Expect.afterHandshake;
import static io.echolab.it.Lab.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.Network;

/**
 * S16: simultaneous close. Two hosts (containers on an internal network of the test's own, joined by veths);
 * each end sends its FIN before the other's arrives, so each receives a FIN while in FIN_WAIT1 that does not
 * ACK its own: CLOSING on both sides, then TIME_WAIT on both, and no FIN_WAIT2 anywhere.
 *
 * <p>FINs that cross need a delay on the wire, and this kernel has no netem. The kernel holds packets
 * itself while it resolves a neighbour: the client's host forgets the server's MAC address and ignores ARP
 * replies, so every segment it sends waits in the neighbour's queue (__neigh_event_send()); an entry
 * written by hand releases them in order (__neigh_update()). So: the client's FIN waits, the server's FIN
 * arrives (client: CLOSING), the held FIN is released (server: CLOSING). The client's pure ACKs are dropped
 * meanwhile so each CLOSING lasts long enough to be polled, until the rule goes and the server's next FIN
 * retransmission is ACKed.
 */
@ExtendWith(DockerRequired.class)
class S16SimultaneousCloseIT {

    private static final String NEIGHBOUR = "$(getent hosts server | cut -d' ' -f1)";

    @Test
    void bothEndsPassThroughClosing() throws Exception {
        try (Network network = Network.builder().createNetworkCmdModifier(cmd -> cmd.withInternal(true)).build();
             ContainerLab server = ContainerLab.onNetwork("S16", Map.of(), network, "server");
             ContainerLab client = ContainerLab.onNetwork("S16", Map.of(), network, "client")) {
            server.serve("--clients", "1");
            client.startWatcher();
            client.start("client", "echo-client", Lab.Input.KEYBOARD,
                    List.of("--timestamps", "server", String.valueOf(ContainerLab.PORT)));
            client.awaitStory("the client ESTABLISHED", STARTUP, s -> s.clientSide().map(c -> c.last().state()
                    == TcpState.ESTABLISHED).orElse(false));
            server.awaitStory("the server side ESTABLISHED", STARTUP, s -> s.serverSide().map(c -> c.last().state()
                    == TcpState.ESTABLISHED).orElse(false));
            long serverResets = server.counter("TcpOutRsts");
            long clientResets = client.counter("TcpOutRsts");

            // Hold the client's segments: the neighbour entry goes, resolving it stalls (replies ignored; six
            // solicitations 5 s apart before the kernel would give up and drop the queue), its pure ACKs dropped
            String mac = client.sh("ip neigh show " + NEIGHBOUR + " dev eth0 | awk '{ print $3 }'").trim();
            assertTrue(mac.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"), "the server's MAC address: '" + mac + "'");
            client.sh("ip ntable change name arp_cache dev eth0 retrans 5000 && arptables -A INPUT --opcode 2 -j DROP && "
                    + "iptables -A OUTPUT -p tcp --dport " + ContainerLab.PORT + " --tcp-flags ALL ACK -j DROP && "
                    + "ip neigh del " + NEIGHBOUR + " dev eth0");

            client.type("client", "q\n");
            client.awaitStory("the client in FIN_WAIT1, its FIN held", STARTUP,
                    s -> s.clientSide().orElseThrow().last().state() == TcpState.FIN_WAIT1);
            assertEquals(TcpState.ESTABLISHED, server.story().serverSide().orElseThrow().last().state(),
                    "the client's FIN has not reached the server\n" + server.describe());

            server.stop("server"); // its process ends; the kernel sends the server's FIN, and it crosses the client's
            client.awaitStory("the client in CLOSING: a FIN that does not ACK its own", STARTUP,
                    s -> s.clientSide().orElseThrow().last().state() == TcpState.CLOSING);
            server.awaitStory("the server side in FIN_WAIT1", STARTUP,
                    s -> s.serverSide().orElseThrow().last().state() == TcpState.FIN_WAIT1);

            client.sh("ip neigh replace " + NEIGHBOUR + " lladdr " + mac + " dev eth0 nud reachable"); // the held FIN goes
            server.awaitStory("the server side in CLOSING", STARTUP,
                    s -> s.serverSide().orElseThrow().last().state() == TcpState.CLOSING);
            client.awaitStory("the client in TIME_WAIT: the server ACKed its FIN", STARTUP,
                    s -> s.clientSide().orElseThrow().last().state() == TcpState.TIME_WAIT);

            client.sh("iptables -F OUTPUT"); // the client's next ACK, of the server's next FIN, gets through
            server.awaitStory("the server side in TIME_WAIT", STARTUP,
                    s -> s.serverSide().orElseThrow().last().state() == TcpState.TIME_WAIT);

            List<TcpState> simultaneous = List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT1, TcpState.CLOSING,
                    TcpState.TIME_WAIT);
            Story clientStory = client.story();
            Story serverStory = server.story();
            Expect.states(simultaneous, afterHandshake(clientStory.clientSide().orElseThrow()),
                    "the client: its FIN sent, the server's FIN before the ACK of its own", client);
            Expect.states(simultaneous, afterHandshake(serverStory.serverSide().orElseThrow()),
                    "the server: the same, the other way round", server);
            assertFalse(clientStory.anyIn(TcpState.FIN_WAIT2) || serverStory.anyIn(TcpState.FIN_WAIT2),
                    "no FIN_WAIT2 on either side: neither FIN was ACKed before the other was sent");
            assertEquals(serverResets, server.counter("TcpOutRsts"), "no RST from the server");
            assertEquals(clientResets, client.counter("TcpOutRsts"), "no RST from the client");
        }
    }
}
