package io.echolab.watcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Expected texts are glibc's inet_ntop output, from python3's socket.inet_ntop on this machine. */
class AddressTextTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "::, ::",
        "::1, ::1",
        "fe80::1, fe80::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "::1.2.3.4, ::1.2.3.4",
        "::0.0.1.2, ::102",
        "1::, 1::",
        "1:0:0:2::3, 1:0:0:2::3",
        "2001:DB8:aaaa:bbbb:cccc:dddd:eeee:ffff, 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff",
        "0:0:1::, 0:0:1::",
    })
    void ipv6LikeGlibc(String address, String expected) throws UnknownHostException {
        assertEquals(expected, AddressText.ntop(InetAddress.getByName(address)));
    }

    @Test
    void ipv4MappedHeldAsIpv6IsWrittenLikeGlibc() throws UnknownHostException {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4};

        // InetAddress.getByName would turn it into IPv4; an Inet6Address built directly keeps it.
        assertEquals("::ffff:1.2.3.4", AddressText.ntop(Inet6Address.getByAddress(null, mapped, -1)));
    }

    @Test
    void hostPortBracketsIpv6() throws UnknownHostException {
        assertEquals("[::1]:5000", AddressText.hostPort(new InetSocketAddress(InetAddress.getByName("::1"), 5000)));
        assertEquals("127.0.0.1:0", AddressText.hostPort(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)));
        assertEquals("0.0.0.0:*", AddressText.hostPortOrStar(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0)));
        assertEquals("[::]:*", AddressText.hostPortOrStar(new InetSocketAddress(InetAddress.getByName("::"), 0)));
    }
}
