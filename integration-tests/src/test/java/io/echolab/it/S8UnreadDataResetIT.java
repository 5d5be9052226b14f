package io.echolab.it;

import static io.echolab.it.Scenarios.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S8: close() with unread data sends RST, not FIN. The server reads 1024 bytes (BUF_SIZE) of a 4000-byte
 * line, echoes them and closes first with the rest unread: the client's read fails with a reset.
 */
@ExtendWith(DockerRequired.class)
class S8UnreadDataResetIT {

    @Test
    void closingWithUnreadDataResets() throws Exception {
        try (LabContainer lab = LabContainer.start("S8", Map.of())) {
            Scenarios.connect(lab, List.of("--clients", "1", "--close-after", "1"), List.of("--hold", "0"));
            lab.type("client", "x".repeat(4000) + "\n");

            assertEquals(ExitCode.IO, lab.awaitExit("client", STARTUP), lab.out("client"));
            assertEquals("read from server failed: Connection reset by peer\n", lab.err("client"));
            Scenarios.assertResetEndedBoth(lab);
        }
    }
}
