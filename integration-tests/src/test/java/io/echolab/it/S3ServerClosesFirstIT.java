package io.echolab.it;

import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;

/** S3 in its own network namespace. */
@ExtendWith(DockerRequired.class)
class S3ServerClosesFirstIT extends S3ServerClosesFirstScenario {

    @Override
    Lab lab() {
        return ContainerLab.start("S3", Map.of());
    }
}
