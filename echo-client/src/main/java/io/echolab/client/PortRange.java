package io.echolab.client;

import io.echolab.common.PortConverter;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** An inclusive range of local ports to bind explicitly, written {@code FROM-TO}. */
public record PortRange(int from, int to) {

    public PortRange {
        if (from < 1 || to > 65_535 || from > to) {
            throw new IllegalArgumentException("port range must be FROM-TO with 1 <= FROM <= TO <= 65535, not " + from + "-" + to);
        }
    }

    /** How many ports the range holds. */
    public int size() {
        return to - from + 1;
    }

    /** The i-th port, wrapping around: connection i binds {@code from + i % size}. */
    public int port(int i) {
        return from + Math.floorMod(i, size());
    }

    @Override
    public String toString() {
        return from + "-" + to;
    }

    /** Reads {@code FROM-TO}. */
    public static final class Converter implements ITypeConverter<PortRange> {
        @Override
        public PortRange convert(String value) {
            String[] parts = value.split("-", -1);
            if (parts.length != 2) {
                throw new TypeConversionException("'" + value + "' is not a port range FROM-TO, e.g. 40000-40099");
            }
            try {
                return new PortRange(PortConverter.parse(parts[0]), PortConverter.parse(parts[1]));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "': " + e.getMessage());
            }
        }
    }
}
