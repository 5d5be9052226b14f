package io.echolab.it;

import static io.echolab.it.Scenarios.FIRST_PORT;
import static io.echolab.it.Scenarios.LAST_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import io.echolab.common.ExitCode;
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
        try (LabContainer lab = LabContainer.start("S9", Scenarios.hundredPorts(Map.of()))) {
            Scenarios.loadServer(lab);
            String summary = Scenarios.load(lab, "client", "--connections", "150");

            assertEquals(ExitCode.UNAVAILABLE, lab.exitCode("client").getAsInt(), "some connections failed: " + summary);
            assertTrue(summary.contains("connections made:      100\n"), summary);
            assertTrue(summary.contains("connections failed:    50\n"), summary);
            assertTrue(summary.contains("      50  Cannot assign requested address\n"), summary);

            WatchLog log = lab.awaitWatch("100 client TIME_WAIT rows", Duration.ofSeconds(20),
                    l -> Scenarios.clientTimeWaits(l).size() >= 100);
            assertEquals(100, Scenarios.clientTimeWaits(log).size(), "one TIME_WAIT per connection made");
            assertEquals(100, log.maxAtOnce("TIME_WAIT"), "all 100 at once: every port of the range is held");
            for (WatchLog.Connection c : Scenarios.clientTimeWaits(log)) {
                int port = c.events().get(0).localPort();
                assertTrue(port >= FIRST_PORT && port <= LAST_PORT, "a port of ip_local_port_range: " + port);
            }
        }
    }
}
