package io.echolab.watcher;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The /proc fixtures in src/test/resources/proc, and the tool output captured with them. */
public final class Fixtures {

    private Fixtures() {
    }

    /** A fixture directory, a fake /proc root: {@code DIR/net/tcp}, {@code DIR/net/tcp6}. */
    public static Path procRoot(String name) {
        URL url = Fixtures.class.getResource("/proc/" + name + "/net/tcp");
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + name);
        }
        try {
            return Path.of(url.toURI()).getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The verbatim lines of a fixture table, padding kept. */
    public static List<String> lines(String name, String table) throws IOException {
        return Files.readAllLines(procRoot(name).resolve("net").resolve(table), StandardCharsets.ISO_8859_1);
    }

    /**
     * The socket rows of the {@code netstat -ant} output in a fixture's README.txt, trailing blanks trimmed:
     * the lines after the "Proto Recv-Q" header up to a blank line or the end.
     */
    public static List<String> netstatRows(String name) throws IOException {
        List<String> readme = Files.readAllLines(procRoot(name).resolve("README.txt"), StandardCharsets.UTF_8);
        List<String> rows = new ArrayList<>();
        boolean in = false;
        for (String line : readme) {
            if (line.startsWith("Proto Recv-Q")) {
                in = true;
            } else if (in && (line.isBlank() || !line.startsWith("tcp"))) {
                break;
            } else if (in) {
                rows.add(line.stripTrailing());
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException("no netstat rows in " + name + "/README.txt");
        }
        return rows;
    }
}
