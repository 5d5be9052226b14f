package io.echolab.it;

import static io.echolab.it.Scenarios.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.echolab.common.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** S2: the client's SO_LINGER(0) close sends RST: no FIN_WAIT2, no CLOSE_WAIT, no TIME_WAIT; the server's read fails. */
@ExtendWith(DockerRequired.class)
class S2ClientLingerZeroIT {

    @Test
    void resetSkipsEveryClosingState() throws Exception {
        try (LabContainer lab = LabContainer.start("S2", Map.of())) {
            // Had a FIN come, the server would sit in CLOSE_WAIT for the 2 s close delay: no poll could miss it
            Scenarios.connect(lab, List.of("--clients", "1", "--close-delay", "2s"), List.of("--linger", "0", "--hold", "0"));
            Scenarios.echoAndQuit(lab);

            assertEquals(ExitCode.OK, lab.awaitExit("server", STARTUP), lab.err("server"));
            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));
            Scenarios.assertResetEndedBoth(lab);
            assertTrue(lab.out("server").contains("read from client[0] error: [Connection reset by peer]\n"
                    + "server close client socket\n"), lab.out("server"));
        }
    }
}
