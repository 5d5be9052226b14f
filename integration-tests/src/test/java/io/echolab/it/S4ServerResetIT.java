package io.echolab.it;

import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;

/** S4 in a network namespace of its own for each case. */
@ExtendWith(DockerRequired.class)
class S4ServerResetIT extends S4ServerResetScenario {

    @Override
    Lab lab(String name) {
        return ContainerLab.start(name, Map.of());
    }
}
