package io.echolab.watcher;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.stream.Collectors;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An enum's constants as the command line writes them, in lowercase ({@code --format jsonl}): picocli's
 * converter, and its completion candidates for ${COMPLETION-CANDIDATES} and shell completion. A subclass
 * names the enum and what its values are called in the error message.
 */
abstract class LowercaseNames<E extends Enum<E>> implements ITypeConverter<E>, Iterable<String> {

    private final Class<E> type;
    private final String noun;

    LowercaseNames(Class<E> type, String noun) {
        this.type = type;
        this.noun = noun;
    }

    /** The name on the command line. */
    static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public E convert(String value) {
        for (E constant : type.getEnumConstants()) {
            if (of(constant).equals(value.trim())) {
                return constant;
            }
        }
        throw new TypeConversionException("'" + value + "' is not a " + noun + ": use "
                + Arrays.stream(type.getEnumConstants()).map(LowercaseNames::of).collect(Collectors.joining(", ")));
    }

    @Override
    public Iterator<String> iterator() {
        return Arrays.stream(type.getEnumConstants()).map(LowercaseNames::of).iterator();
    }
}
