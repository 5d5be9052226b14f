package io.echolab.watcher;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The independent tools some tests compare the watcher with. CI installs each (.ci/run) and runs every test,
 * so a tool that is missing fails the test that needs it, naming the Debian package to install, rather than
 * skipping it: a skipped comparison would pass unseen.
 */
final class Tools {

    private Tools() {
    }

    /** The tool's path, or a failure naming the package that has it. */
    static Path require(String tool, String debianPackage) {
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin")) {
            Path path = Path.of(dir, tool);
            if (Files.isExecutable(path)) {
                return path;
            }
        }
        return fail(tool + " is not installed: this test compares the watcher with it (apt-get install " + debianPackage
                + "; .ci/run installs it)");
    }

    /** What it printed, standard output and error together, and its exit code. */
    record Result(int exitCode, String output) {
    }

    /** Runs the tool with {@code input} on its standard input, for at most 30 s. */
    static Result run(Path tool, String input, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(tool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(command + " did not end within 30 s");
        }
        return new Result(process.exitValue(), output);
    }
}
