package io.echolab.it;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S1 in its own network namespace with echo_server2.c's 10 s close delay; the one test that waits for
 * TIME_WAIT to end, and bounds its length by the timer wheel of the kernel it runs on.
 */
@ExtendWith(DockerRequired.class)
class S1ArticleTraceIT extends S1ArticleTraceScenario {

    @Override
    Lab lab() {
        return ContainerLab.start("S1", Map.of());
    }

    @Override
    Duration closeDelay() {
        return Duration.ofSeconds(10);
    }

    @Override
    boolean waitsForTimeWait() {
        return true;
    }
}
