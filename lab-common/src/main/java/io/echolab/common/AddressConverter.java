package io.echolab.common;

import java.net.InetAddress;
import java.net.UnknownHostException;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An IPv4 or IPv6 address, or a host name resolved once. The address family decides the socket family:
 * an IPv4 address gets an AF_INET socket (a {@code tcp} row, as the C programs show), an IPv6 one AF_INET6.
 */
public final class AddressConverter implements ITypeConverter<InetAddress> {

    @Override
    public InetAddress convert(String value) {
        try {
            return InetAddress.getByName(value.trim());
        } catch (UnknownHostException e) {
            throw new TypeConversionException("unknown host '" + value + "'");
        }
    }
}
