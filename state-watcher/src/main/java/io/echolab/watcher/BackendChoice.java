package io.echolab.watcher;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.stream.Collectors;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** What {@code --backend} asks for: the best available, or one in particular. */
public enum BackendChoice {

    AUTO, PROCFS, NETLINK, TRACE;

    /** The name on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads a label; anything else is a usage error listing the choices. */
    public static final class Converter implements ITypeConverter<BackendChoice> {

        @Override
        public BackendChoice convert(String value) {
            for (BackendChoice choice : values()) {
                if (choice.label().equals(value.trim())) {
                    return choice;
                }
            }
            throw new TypeConversionException("'" + value + "' is not a backend: use "
                    + Arrays.stream(values()).map(BackendChoice::label).collect(Collectors.joining(", ")));
        }
    }

    /** The labels, for the help's ${COMPLETION-CANDIDATES}. */
    public static final class Labels implements Iterable<String> {

        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(BackendChoice::label).iterator();
        }
    }
}
