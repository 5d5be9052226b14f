package io.echolab.watcher.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tcp_fin_timeout as the kernel prints it, and this namespace's compared with sysctl's own answer. */
class TcpSysctlsTest {

    @Test
    void secondsAsTheKernelPrintsThem() {
        assertEquals(Optional.of(Duration.ofSeconds(60)), TcpSysctls.parseSeconds("60\n"));
        assertEquals(Optional.of(Duration.ofSeconds(3)), TcpSysctls.parseSeconds("3"));
        assertEquals(Optional.empty(), TcpSysctls.parseSeconds(""));
        assertEquals(Optional.empty(), TcpSysctls.parseSeconds("-1\n"));
        assertEquals(Optional.empty(), TcpSysctls.parseSeconds("60 60\n"));
    }

    @Test
    void thisNamespaceAgreesWithSysctl() throws Exception {
        Path sysctl = Path.of("/usr/sbin/sysctl");
        Optional<Duration> ours = TcpSysctls.finTimeout(Path.of("/proc"));
        assertTrue(ours.isPresent(), "/proc/sys/net/ipv4/tcp_fin_timeout is readable here");
        if (Files.isExecutable(sysctl)) {
            Process process = new ProcessBuilder(sysctl.toString(), "-n", "net.ipv4.tcp_fin_timeout").start();
            String theirs = new String(process.getInputStream().readAllBytes()).strip();
            assertEquals(0, process.waitFor());
            assertEquals(theirs, Long.toString(ours.get().toSeconds()));
        }
    }

    @Test
    void missingOrSavedTables(@TempDir Path root) throws IOException {
        assertEquals(Optional.empty(), TcpSysctls.finTimeout(root), "a --proc-root without sys/");
        Files.createDirectories(root.resolve("sys/net/ipv4"));
        Files.writeString(root.resolve("sys/net/ipv4/tcp_fin_timeout"), "30\n");
        assertEquals(Optional.of(Duration.ofSeconds(30)), TcpSysctls.finTimeout(root));
    }
}
