package io.echolab.it;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs the Docker ITs only where a Docker engine answers. Without one they are skipped with one line,
 * unless {@code ECHOLAB_REQUIRE_DOCKER=true} (or {@code -Decholab.requireDocker=true}) says they must run,
 * as CI does: then a missing engine is a failure, not a silent skip. An engine that answers but that
 * Testcontainers cannot use is always a failure, with Testcontainers' reason. What Testcontainers needs with no
 * image registry, or inside a container, is set by the build (failsafe's environment in this module's pom),
 * not by the reader. Docker is asked once per test run, not once per class.
 */
final class DockerRequired implements ExecutionCondition {

    private static ConditionEvaluationResult verdict;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return evaluate();
    }

    private static synchronized ConditionEvaluationResult evaluate() {
        if (verdict == null) {
            verdict = ask();
        }
        if (verdict.isDisabled() && required()) {
            throw new IllegalStateException("no Docker engine answers, and ECHOLAB_REQUIRE_DOCKER=true says the Docker "
                    + "ITs must run (start one with scripts/ensure-docker.sh)");
        }
        return verdict;
    }

    private static ConditionEvaluationResult ask() {
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            throw new IllegalStateException("a Docker engine answers but Testcontainers cannot use it: " + e.getMessage()
                    + " (docker info says what the engine reports; README, The Docker tests)", e);
        }
        if (available) {
            return ConditionEvaluationResult.enabled("a Docker engine answers");
        }
        String skipped = "no Docker engine answers: Docker ITs skipped (set ECHOLAB_REQUIRE_DOCKER=true to make this a failure)";
        System.err.println(skipped);
        return ConditionEvaluationResult.disabled(skipped);
    }

    private static boolean required() {
        String env = System.getenv("ECHOLAB_REQUIRE_DOCKER");
        return Boolean.parseBoolean(env != null ? env : System.getProperty("echolab.requireDocker", "false"));
    }
}
