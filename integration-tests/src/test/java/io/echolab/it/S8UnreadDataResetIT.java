package io.echolab.it;

import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;

/** S8 in its own network namespace. */
@ExtendWith(DockerRequired.class)
class S8UnreadDataResetIT extends S8UnreadDataResetScenario {

    @Override
    Lab lab() {
        return ContainerLab.start("S8", Map.of());
    }
}
