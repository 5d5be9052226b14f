package io.echolab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * S10: tcp_tw_reuse lets the connecting side reuse a port held in TIME_WAIT once that TIME_WAIT is older
 * than tcp_tw_reuse_delay (1 s by default): with every one of the 100 ports in TIME_WAIT, 50 more
 * connections all succeed. 1 turns it on everywhere, 2 (the default) for loopback only, which this is.
 */
@ExtendWith(DockerRequired.class)
class S10TwReuseIT {

    /** tcp_tw_reuse_delay's default, in the kernel since 6.13; a TIME_WAIT younger than this is not reused. */
    private static final Duration REUSE_DELAY = Duration.ofSeconds(1);

    @ParameterizedTest(name = "tcp_tw_reuse={0}")
    @ValueSource(strings = {"1", "2"})
    void reuseLetsConnectsSucceedWhileEveryPortIsInTimeWait(String twReuse) throws Exception {
        try (ContainerLab lab = ContainerLab.start("S10", Loads.hundredPorts(Map.of("net.ipv4.tcp_tw_reuse", twReuse)))) {
            Loads.server(lab);
            String first = Loads.load(lab, "fill", "--connections", "100");
            assertEquals(ExitCode.OK, lab.exitCode("fill").getAsInt(), first);

            Story full = lab.awaitStory("all 100 ports in TIME_WAIT", Duration.ofSeconds(20),
                    s -> s.maxAtOnce(TcpState.TIME_WAIT) >= 100);
            Instant youngest = Loads.clientTimeWaits(full).stream()
                    .map(c -> c.phase(TcpState.TIME_WAIT).orElseThrow().start()).max(Comparator.naturalOrder()).orElseThrow();
            // The kernel reuses a TIME_WAIT port once it is older than tcp_tw_reuse_delay: wait that long after
            // the youngest began (the watcher's stamp of it), and a tick of the kernel's clock more
            Duration age = Duration.between(youngest, Instant.now());
            Duration needed = REUSE_DELAY.plus(KernelTime.SCHEDULING);
            if (age.compareTo(needed) < 0) {
                Thread.sleep(needed.minus(age).toMillis());
            }

            String second = Loads.load(lab, "reuse", "--connections", "50");
            assertEquals(ExitCode.OK, lab.exitCode("reuse").getAsInt(), second);
            assertTrue(second.contains("connections made:      50\n"), second);
            assertTrue(second.contains("connections failed:    0\n"), second);
            assertTrue(lab.story().maxAtOnce(TcpState.TIME_WAIT) <= 100, "no port beyond the 100: the new connections reused them");
        }
    }
}
