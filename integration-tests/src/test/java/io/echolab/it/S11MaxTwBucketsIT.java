package io.echolab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S11: tcp_max_tw_buckets caps TIME_WAIT: past 10, a closing socket skips TIME_WAIT altogether ("time wait
 * bucket table overflow"), so its port is free at once and S9's load no longer fails.
 */
@ExtendWith(DockerRequired.class)
class S11MaxTwBucketsIT {

    @Test
    void atMostTenTimeWaitsAndNoFailures() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S11", Loads.hundredPorts(Map.of("net.ipv4.tcp_max_tw_buckets", "10")))) {
            Loads.server(lab);
            String summary = Loads.load(lab, "client", "--connections", "150");

            assertEquals(ExitCode.OK, lab.exitCode("client").getAsInt(), summary);
            assertTrue(summary.contains("connections made:      150\n"), summary);
            int most = lab.story().maxAtOnce(TcpState.TIME_WAIT);
            assertTrue(most >= 1 && most <= 10, "between 1 and 10 TIME_WAIT rows at once, was " + most);
            int now = Integer.parseInt(lab.sh("ss -Htan state time-wait | wc -l").trim());
            assertTrue(now <= 10, "ss agrees: at most 10 TIME_WAIT rows in the namespace, was " + now);
        }
    }
}
