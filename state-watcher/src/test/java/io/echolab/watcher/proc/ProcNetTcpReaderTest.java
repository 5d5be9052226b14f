package io.echolab.watcher.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.echolab.watcher.Fixtures;
import io.echolab.watcher.model.TcpSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The poll loop's reader: the port filter, and tables larger than its buffer, on verbatim rows. */
class ProcNetTcpReaderTest {

    @Test
    void keepsTheRowsOfTheWatchedPortOnly() throws IOException {
        // ss: LISTEN on 55563, two ESTAB pairs between 55563 and 55436 / 55442
        List<TcpSocket> rows = new ProcNetTcpReader(Fixtures.procRoot("established-v4"), Set.of(55436)).read();

        assertEquals(2, rows.size(), "the client on 55436 and the server side talking to it: " + rows);
        assertTrue(rows.stream().allMatch(r -> r.local().getPort() == 55436 || r.remote().getPort() == 55436));
    }

    @Test
    void readsATableLargerThanItsBuffer(@TempDir Path dir) throws IOException {
        // The verbatim table's rows repeated until it is 1.5 MB: more than the 256 KiB the reader starts with
        List<String> lines = Files.readAllLines(Fixtures.procRoot("time-wait").resolve("net/tcp"), StandardCharsets.ISO_8859_1);
        List<String> big = new ArrayList<>(List.of(lines.get(0)));
        while (big.size() * 150 < 1_500_000) {
            big.addAll(lines.subList(1, lines.size()));
        }
        Files.createDirectories(dir.resolve("net"));
        Files.write(dir.resolve("net/tcp"), big, StandardCharsets.ISO_8859_1);

        List<TcpSocket> rows = new ProcNetTcpReader(dir, Set.of()).read();

        assertEquals(big.size() - 1, rows.size(), "every row, none lost at a buffer's end");
    }
}
