package io.echolab.it;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs the Docker ITs only where a Docker engine answers. Without one they are skipped with one line,
 * unless {@code ECHOLAB_REQUIRE_DOCKER=true} (or {@code -Decholab.requireDocker=true}) says they must run,
 * as CI does: then a missing engine is a failure, not a silent skip.
 */
final class DockerRequired implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return ConditionEvaluationResult.enabled("a Docker engine answers");
        }
        if (required()) {
            throw new IllegalStateException("no Docker engine answers, and ECHOLAB_REQUIRE_DOCKER=true says the Docker ITs "
                    + "must run (start one with scripts/ensure-docker.sh)");
        }
        return ConditionEvaluationResult.disabled("no Docker engine answers: Docker ITs skipped "
                + "(set ECHOLAB_REQUIRE_DOCKER=true to make this a failure)");
    }

    private static boolean required() {
        String env = System.getenv("ECHOLAB_REQUIRE_DOCKER");
        return Boolean.parseBoolean(env != null ? env : System.getProperty("echolab.requireDocker", "false"));
    }
}
