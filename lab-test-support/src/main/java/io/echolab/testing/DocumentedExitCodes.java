package io.echolab.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.echolab.common.Situation;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The exit codes as a program really ends with them, as ExitMapper decides them, as --help lists them and as
 * the README's table documents them: all four must agree. What every program checks alike is here: the README
 * against the mapper, --help against the README, and {@link #assertEnds} for a real ending. Each program's
 * ExitCodesDocumentedTest extends this with its command line and a test that makes it end with its own codes.
 */
public abstract class DocumentedExitCodes {

    private static final Pattern ROW = Pattern.compile("^\\| (\\d+) \\| (.+) \\|$");

    /** The program's command line, made as its main makes it. */
    protected abstract CommandLine newCommandLine();

    /** The README's exit-code table: code to meaning. */
    private static Map<Integer, String> readmeTable() throws IOException {
        Map<Integer, String> table = new TreeMap<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(Path.of("..", "README.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("#")) {
                inSection = line.equals("### Exit codes");
                continue;
            }
            Matcher m = ROW.matcher(line);
            if (inSection && m.matches()) {
                table.put(Integer.parseInt(m.group(1)), m.group(2));
            }
        }
        return table;
    }

    private Map<Integer, String> helpList() {
        return newCommandLine().getCommandSpec().usageMessage().exitCodeList().entrySet().stream()
                .collect(Collectors.toMap(e -> Integer.parseInt(e.getKey().trim()), Map.Entry::getValue, (a, b) -> a,
                        TreeMap::new));
    }

    @Test
    public void theReadmeDocumentsEveryCodeTheMapperGivesAndNoOther() throws IOException {
        assertEquals(Arrays.stream(Situation.values()).map(Situation::exitCode).collect(Collectors.toCollection(TreeSet::new)),
                readmeTable().keySet(), "README's table: " + readmeTable());
    }

    @Test
    public void helpListsOnlyDocumentedCodes() throws IOException {
        Map<Integer, String> readme = readmeTable();
        for (int code : helpList().keySet()) {
            assertTrue(readme.containsKey(code), "--help lists " + code + ", the README does not: " + readme);
        }
    }

    /** The program ended with {@code exitCode}: the mapper's code for {@code situation}, listed in --help and the README. */
    protected void assertEnds(Situation situation, int exitCode) throws IOException {
        assertEquals(situation.exitCode(), exitCode, "the mapper's code for " + situation);
        assertTrue(helpList().containsKey(exitCode), "--help should list " + exitCode + ": " + helpList());
        assertTrue(readmeTable().containsKey(exitCode), "the README should list " + exitCode);
    }

    /** Runs the program in this JVM with {@code args}, its output and errors discarded; its exit code. */
    protected int run(String... args) {
        CommandLine cmd = newCommandLine();
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));
        return cmd.execute(args);
    }
}
