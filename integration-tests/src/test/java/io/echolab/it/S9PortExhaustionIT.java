package io.echolab.it;

import static io.echolab.it.Loads.FIRST_PORT;
import static io.echolab.it.Loads.LAST_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S9: TIME_WAIT exhausts ephemeral ports. With 100 ports and no TIME_WAIT reuse, a client that closes first
 * gets 100 connections; each leaves its port in TIME_WAIT for 60 s, so the next 50 fail with EADDRNOTAVAIL.
 */
@ExtendWith(DockerRequired.class)
class S9PortExhaustionIT {

    @Test
    void timeWaitHoldsEveryPortSoConnectFails() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S9", Loads.hundredPorts(Map.of()))) {
            Loads.server(lab);
            String summary = Loads.load(lab, "client", "--connections", "150");

            assertEquals(ExitCode.UNAVAILABLE, lab.exitCode("client").getAsInt(), "some connections failed: " + summary);
            assertTrue(summary.contains("connections made:      100\n"), summary);
            assertTrue(summary.contains("connections failed:    50\n"), summary);
            assertTrue(summary.contains("      50  Cannot assign requested address\n"), summary);

            Story story = lab.awaitStory("100 client TIME_WAIT rows", Duration.ofSeconds(20),
                    s -> Loads.clientTimeWaits(s).size() >= 100);
            assertEquals(100, Loads.clientTimeWaits(story).size(), "one TIME_WAIT per connection made");
            assertEquals(100, story.maxAtOnce(TcpState.TIME_WAIT), "all 100 at once: every port of the range is held");
            for (Connection c : Loads.clientTimeWaits(story)) {
                int port = c.key().local().getPort();
                assertTrue(port >= FIRST_PORT && port <= LAST_PORT, "a port of ip_local_port_range: " + port);
            }
        }
    }
}
