package io.echolab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.TcpState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** S12: SO_LINGER(0) also avoids exhaustion: each close() is a RST, no port is held, all 150 connect. */
@ExtendWith(DockerRequired.class)
class S12LingerZeroLoadIT {

    @Test
    void resetsLeaveNoTimeWaitAndNoFailures() throws Exception {
        try (ContainerLab lab = ContainerLab.start("S12", Loads.hundredPorts(Map.of()))) {
            Loads.server(lab);
            String summary = Loads.load(lab, "client", "--connections", "150", "--linger", "0");

            assertEquals(ExitCode.OK, lab.exitCode("client").getAsInt(), summary);
            assertTrue(summary.contains("connections made:      150\n"), summary);
            assertTrue(summary.contains("connections failed:    0\n"), summary);
            assertFalse(lab.story().anyIn(TcpState.TIME_WAIT), "RST leaves no TIME_WAIT\n" + lab.describe());
            assertEquals("0", lab.sh("ss -Htan state time-wait | wc -l").trim(), "ss agrees: no TIME_WAIT in the namespace");
        }
    }
}
