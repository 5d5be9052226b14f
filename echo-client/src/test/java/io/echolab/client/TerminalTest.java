package io.echolab.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TerminalTest {

    @Test
    void aDescriptorOnAPseudoTerminalOrConsoleIsATerminal(@TempDir Path dir) throws IOException {
        // The links /proc/self/fd/N shows for each kind of open file
        assertTrue(Terminal.isTerminal(Files.createSymbolicLink(dir.resolve("pts"), Path.of("/dev/pts/3"))));
        assertTrue(Terminal.isTerminal(Files.createSymbolicLink(dir.resolve("tty"), Path.of("/dev/tty1"))));
        assertTrue(Terminal.isTerminal(Files.createSymbolicLink(dir.resolve("console"), Path.of("/dev/console"))));
        assertFalse(Terminal.isTerminal(Files.createSymbolicLink(dir.resolve("pipe"), Path.of("pipe:[4242]"))));
        assertFalse(Terminal.isTerminal(Files.createSymbolicLink(dir.resolve("null"), Path.of("/dev/null"))));
        assertFalse(Terminal.isTerminal(Files.createSymbolicLink(dir.resolve("file"), Path.of("/tmp/log"))));
        assertFalse(Terminal.isTerminal(dir.resolve("closed")), "a descriptor that is not open");
    }

    @Test
    void underTheTestRunnerStandardErrorIsAPipeNotATerminal() {
        assertFalse(Terminal.isTerminal(2), "surefire reads the forked JVM's standard error through a pipe");
    }
}
