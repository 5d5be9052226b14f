package io.echolab.it;

import java.nio.file.Files;
import java.nio.file.Path;

import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The image every Docker IT runs: docker/Dockerfile with the three runnable jars the build just made and
 * the trace script (with the helpers it sources), on the base image named by {@code ECHOLAB_BASE_IMAGE} or {@code -Decholab.baseImage}.
 * Built once per test run; Docker's layer cache makes later builds quick.
 */
final class LabImage {

    private static ImageFromDockerfile image;

    private LabImage() {
    }

    static synchronized ImageFromDockerfile get() {
        if (image == null) {
            Path root = Path.of(System.getProperty("echolab.root", "..")).toAbsolutePath().normalize();
            ImageFromDockerfile build = new ImageFromDockerfile("echolab-it:latest", false)
                    .withFileFromPath("Dockerfile", existing(root.resolve("docker/Dockerfile")))
                    .withFileFromPath("reproduce-trace.sh", existing(root.resolve("scripts/reproduce-trace.sh")))
                    .withFileFromPath("lib/common.sh", existing(root.resolve("scripts/lib/common.sh")))
                    .withBuildArg("BASE_IMAGE", baseImage());
            for (String program : new String[] {"echo-server", "echo-client", "state-watcher"}) {
                build.withFileFromPath(program + ".jar", existing(root.resolve(program + "/target/" + program + ".jar")));
            }
            image = build;
        }
        return image;
    }

    /** The base image: the environment's choice, then the build's, then a public JRE 17. */
    static String baseImage() {
        String env = System.getenv("ECHOLAB_BASE_IMAGE");
        if (env != null && !env.isBlank()) {
            return env;
        }
        return System.getProperty("echolab.baseImage", "eclipse-temurin:17-jre");
    }

    private static Path existing(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: the Docker ITs run after 'package' (./mvnw -B verify)");
        }
        return file;
    }
}
