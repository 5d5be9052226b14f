package io.echolab.common;

import java.net.InetAddress;
import java.net.UnknownHostException;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A host as written on the command line: an IPv4 or IPv6 address, or a name. It is resolved when the
 * program runs, not while options are parsed, so a name that does not resolve is an unknown host (exit 68),
 * not a usage error. The address family decides the socket family: an IPv4 address gets an AF_INET socket
 * (a {@code tcp} row, as the C programs show), an IPv6 one AF_INET6.
 */
public record Host(String name) {

    public Host {
        if (name == null || name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("'" + name + "' is not a host name or address");
        }
    }

    /** Resolves the name once (an address literal needs no lookup). */
    public InetAddress resolve() throws UnknownHostException {
        return InetAddress.getByName(name);
    }

    /** The failure to report when {@link #resolve()} fails: {@code unknown host 'x' (Name or service not known)}. */
    public Failure unknown(UnknownHostException e) {
        String why = e.getMessage() == null ? "" : e.getMessage();
        if (why.startsWith(name + ": ")) {
            why = why.substring(name.length() + 2);
        }
        return ExitMapper.failure(Situation.UNKNOWN_HOST,
                "unknown host '" + name + "'" + (why.isEmpty() || why.equals(name) ? "" : " (" + why + ")"));
    }

    @Override
    public String toString() {
        return name;
    }

    /** Reads a host; only its shape is checked here. */
    public static final class Converter implements ITypeConverter<Host> {
        @Override
        public Host convert(String value) {
            try {
                return new Host(value.trim());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
