package io.echolab.watcher.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.echolab.watcher.model.TcpSocket;

/**
 * Reads one network namespace's /proc/net/tcp and /proc/net/tcp6 again and again, as a poll loop does: each
 * table in as few read(2) calls as the kernel allows, into a buffer kept from one poll to the next, and only
 * the rows of the watched ports parsed. Not thread-safe.
 *
 * <p>seq_file hands out at most one page (4 KiB, about 27 IPv4 rows) per read(2), however much is asked, and
 * stops early only at the end of the table. The read that finds the end costs the most: it makes the kernel
 * walk the whole established hash again (tcp_seek_last_pos falls back to tcp_get_idx; 3 ms on a 262,144-bucket
 * table). So a read that comes back with room left for another row of the longest kind ends the table, and
 * the read that would return 0 is never made.
 */
public final class ProcNetTcpReader {

    /** What seq_file fills per read(2): one page. Larger pages only make the shortcut below rarer. */
    static final int SEQ_FILE_PAGE = 4096;
    /** Longer than any row: IPv4 rows are padded to 150 bytes, IPv6 rows take about 180. */
    static final int LONGEST_ROW = 256;

    private final Path procRoot;
    private final Set<Integer> ports;
    private ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);

    /**
     * @param procRoot {@code /proc}, {@code /proc/PID}, or a fixture directory holding {@code net/tcp}
     * @param ports    keep the rows with one of these ports at either end; empty keeps every row
     */
    public ProcNetTcpReader(Path procRoot, Set<Integer> ports) {
        this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
        this.ports = Set.copyOf(ports);
    }

    /**
     * Reads {@code net/tcp}, then {@code net/tcp6}, in the kernel's order.
     *
     * @throws NoSuchFileException      if {@code net/tcp} is missing (no such process); a missing
     *                                  {@code net/tcp6} (IPv6 disabled at boot) just means no IPv6 rows
     * @throws MalformedProcRowException naming the file and the line
     */
    public List<TcpSocket> read() throws IOException {
        Path net = procRoot.resolve("net");
        List<TcpSocket> sockets = new ArrayList<>(readTable(net.resolve("tcp"), "tcp"));
        try {
            sockets.addAll(readTable(net.resolve("tcp6"), "tcp6"));
        } catch (NoSuchFileException e) {
            // No IPv6 table: IPv6 is off. Unless the whole directory went with a process that just exited.
            if (!Files.isDirectory(net)) {
                throw e;
            }
        }
        return sockets;
    }

    private List<TcpSocket> readTable(Path table, String proto) throws IOException {
        buffer.clear();
        try (FileChannel channel = FileChannel.open(table, StandardOpenOption.READ)) {
            while (true) {
                if (!buffer.hasRemaining()) {
                    buffer = ByteBuffer.allocate(buffer.capacity() * 2).put(buffer.flip());
                }
                int n = channel.read(buffer);
                if (n < 0 || n < SEQ_FILE_PAGE - LONGEST_ROW && buffer.hasRemaining()) {
                    break;
                }
            }
        }
        // ISO-8859-1 maps every byte, so a stray byte fails the row, not the decoder.
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1);
        List<String> lines = text.isEmpty() ? List.of() : Arrays.asList(text.split("\n", -1));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines = lines.subList(0, lines.size() - 1);
        }
        try {
            return ProcNetTcp.parse(lines, proto, ports);
        } catch (MalformedProcRowException e) {
            throw e.withSource(table.toString());
        }
    }
}
