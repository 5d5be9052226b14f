package io.echolab.watcher.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Command lines as /proc/PID/cmdline gives them (arguments split at NUL), each the way one of ours runs. */
class ProgramNameTest {

    @Test
    void aProgramThatIsNotAJvmKeepsItsKernelName() {
        assertEquals("sleep", ProgramName.of("sleep", List.of("sleep", "30")));
        assertEquals("ss", ProgramName.of("ss", List.of()));
    }

    @Test
    void aJvmIsNamedByTheJarItRuns() {
        assertEquals("echo-server", ProgramName.of("java", List.of("java", "-jar", "echo-server/target/echo-server.jar",
                "--timestamps", "11233")));
        // The launcher's form: JVM options, a CDS archive, then the jar under lib/
        assertEquals("echo-client", ProgramName.of("java", List.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
                "-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=/home/u/.local/lib/echo-lab/echo-client.jsa",
                "-Xshare:auto", "-jar", "/home/u/.local/lib/echo-lab/echo-client.jar", "127.0.0.1", "11233")));
    }

    @Test
    void aJvmWithAClassPathIsNamedByItsMainClass() {
        assertEquals("EchoServerCommand", ProgramName.of("java", List.of("java", "-cp", "a.jar:b.jar",
                "-Dx=y", "io.echolab.server.EchoServerCommand", "11233")));
        assertEquals("Main", ProgramName.of("java", List.of("java", "--module-path", "mods", "-m", "app/org.example.Main")));
    }

    @Test
    void aJvmWhoseCommandLineSaysNothingIsJava() {
        assertEquals("java", ProgramName.of("java", List.of("java", "-version")));
        assertEquals("java", ProgramName.of("java", List.of()));
    }
}
