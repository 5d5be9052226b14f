package io.echolab.watcher;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.stream.Collectors;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** What the watcher prints: netstat snapshots as it goes, one JSON line per change, or timelines at exit. */
public enum OutputFormat {

    NETSTAT, JSONL, TIMELINE;

    /** The name on the command line: {@code netstat}, {@code jsonl}, {@code timeline}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads a label; anything else is a usage error listing the choices. */
    public static final class Converter implements ITypeConverter<OutputFormat> {

        @Override
        public OutputFormat convert(String value) {
            for (OutputFormat format : values()) {
                if (format.label().equals(value.trim())) {
                    return format;
                }
            }
            throw new TypeConversionException("'" + value + "' is not a format: use "
                    + Arrays.stream(values()).map(OutputFormat::label).collect(Collectors.joining(", ")));
        }
    }

    /** The labels, for the help's ${COMPLETION-CANDIDATES}. */
    public static final class Labels implements Iterable<String> {

        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(OutputFormat::label).iterator();
        }
    }
}
