package io.echolab.common;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A TCP port from 0 to 65535; 0 lets the kernel pick one (a listener) or is rejected where it makes no sense. */
public final class PortConverter implements ITypeConverter<Integer> {

    @Override
    public Integer convert(String value) {
        return parse(value);
    }

    /** Parses a port number from 0 to 65535. */
    public static int parse(String value) {
        int port;
        try {
            port = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a port number (0-65535)");
        }
        if (port < 0 || port > 65_535) {
            throw new TypeConversionException("port " + port + " is out of range (0-65535)");
        }
        return port;
    }
}
