package io.echolab.watcher.proc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The TCP sysctls the watcher explains with, from {@code /proc/sys/net/ipv4}: they are per network namespace,
 * and the kernel answers for the namespace of the thread that opens the file.
 */
public final class TcpSysctls {

    private TcpSysctls() {
    }

    /**
     * {@code net.ipv4.tcp_fin_timeout}: how long an orphaned FIN_WAIT2 waits for the peer's FIN (60 s by
     * default), read from {@code procRoot/sys/net/ipv4/tcp_fin_timeout}; empty when it cannot be read.
     */
    public static Optional<Duration> finTimeout(Path procRoot) {
        try {
            return parseSeconds(read(procRoot.resolve("sys/net/ipv4/tcp_fin_timeout")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The file in one read(2): a sysctl answers only a read at offset 0 (proc_dointvec), so Files.readString,
     * which reads a file of size 0 one byte first, would get "6" of "60".
     */
    private static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64];
            int n = in.read(buffer);
            return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.US_ASCII);
        }
    }

    /** A sysctl of whole seconds as the kernel prints it ({@code "60\n"}); empty if it is not one. */
    static Optional<Duration> parseSeconds(String text) {
        String value = text.strip();
        if (!value.matches("\\d{1,9}")) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
    }
}
