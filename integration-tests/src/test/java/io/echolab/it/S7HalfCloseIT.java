package io.echolab.it;

import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;

/** S7 in its own network namespace. */
@ExtendWith(DockerRequired.class)
class S7HalfCloseIT extends S7HalfCloseScenario {

    @Override
    Lab lab() {
        return ContainerLab.start("S7", Map.of());
    }
}
