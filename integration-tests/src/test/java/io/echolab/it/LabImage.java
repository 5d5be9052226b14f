package io.echolab.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The image every Docker IT runs: docker/Dockerfile with the three runnable jars the build just made and
 * the trace script, on the base image scripts/base-image.sh picks, as every Docker path of the lab does:
 * the one {@code ECHOLAB_BASE_IMAGE} or {@code -Decholab.baseImage} names, else the public
 * eclipse-temurin:17-jre, else (no registry) the local one it builds from Debian's packages, saying so in
 * one line. Built once per test run; Docker's layer cache makes later builds quick.
 */
final class LabImage {

    /** Building the local base image from Debian's packages takes minutes; more means something hangs. */
    private static final long BASE_IMAGE_MINUTES = 30;

    private static ImageFromDockerfile image;

    private LabImage() {
    }

    static synchronized ImageFromDockerfile get() {
        if (image == null) {
            Path root = root();
            ImageFromDockerfile build = new ImageFromDockerfile("echolab-it:latest", false)
                    .withFileFromPath("Dockerfile", existing(root.resolve("docker/Dockerfile")))
                    .withFileFromPath("reproduce-trace.sh", existing(root.resolve("scripts/reproduce-trace.sh")))
                    .withFileFromPath("lib/common.sh", existing(root.resolve("scripts/lib/common.sh")))
                    .withBuildArg("BASE_IMAGE", baseImage(root));
            for (String program : new String[] {"echo-server", "echo-client", "state-watcher"}) {
                build.withFileFromPath(program + ".jar", existing(root.resolve(program + "/target/" + program + ".jar")));
            }
            image = build;
        }
        return image;
    }

    /**
     * Asks scripts/base-image.sh, with the image the environment or the build names; its one line (and a
     * build's progress) goes to standard error, the image's name comes back on standard output.
     */
    static String baseImage(Path root) {
        String chosen = System.getenv("ECHOLAB_BASE_IMAGE");
        if (chosen == null || chosen.isBlank()) {
            chosen = System.getProperty("echolab.baseImage", "eclipse-temurin:17-jre");
        }
        ProcessBuilder ask = new ProcessBuilder("bash", existing(root.resolve("scripts/base-image.sh")).toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        ask.environment().put("ECHOLAB_BASE_IMAGE", chosen);
        try {
            Process process = ask.start();
            String out;
            try (InputStream stdout = process.getInputStream()) {
                out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!process.waitFor(BASE_IMAGE_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("scripts/base-image.sh did not finish within " + BASE_IMAGE_MINUTES + " minutes");
            }
            if (process.exitValue() != 0 || out.isEmpty()) {
                throw new IllegalStateException("no base image for the lab's image: scripts/base-image.sh exited with "
                        + process.exitValue() + " (its message is above)");
            }
            return out.lines().reduce((first, last) -> last).orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run scripts/base-image.sh: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scripts/base-image.sh picked the base image", e);
        }
    }

    private static Path root() {
        return Path.of(System.getProperty("echolab.root", "..")).toAbsolutePath().normalize();
    }

    private static Path existing(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: the Docker ITs run after 'package' (./mvnw -B verify)");
        }
        return file;
    }
}
