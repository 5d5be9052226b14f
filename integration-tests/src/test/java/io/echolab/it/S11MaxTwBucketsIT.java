package io.echolab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import io.echolab.common.ExitCode;
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
        try (LabContainer lab = LabContainer.start("S11",
                Scenarios.hundredPorts(Map.of("net.ipv4.tcp_max_tw_buckets", "10")))) {
            Scenarios.loadServer(lab);
            String summary = Scenarios.load(lab, "client", "--connections", "150");

            assertEquals(ExitCode.OK, lab.exitCode("client").getAsInt(), summary);
            assertTrue(summary.contains("connections made:      150\n"), summary);
            WatchLog log = lab.watch();
            int most = log.maxAtOnce("TIME_WAIT");
            assertTrue(most >= 1 && most <= 10, "between 1 and 10 TIME_WAIT rows at once, was " + most);
            int now = Integer.parseInt(lab.sh("ss -Htan state time-wait | wc -l").trim());
            assertTrue(now <= 10, "ss agrees: at most 10 TIME_WAIT rows in the namespace, was " + now);
        }
    }
}
