package io.echolab.it;

import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;

/** S2 in its own network namespace. */
@ExtendWith(DockerRequired.class)
class S2ClientLingerZeroIT extends S2ClientLingerZeroScenario {

    @Override
    Lab lab() {
        return ContainerLab.start("S2", Map.of());
    }
}
