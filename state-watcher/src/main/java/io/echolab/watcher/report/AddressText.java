package io.echolab.watcher.report;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Socket addresses as text, the way Linux tools print them (glibc's inet_ntop, not Java's long IPv6 form). */
public final class AddressText {

    private AddressText() {
    }

    /**
     * The address as glibc's inet_ntop(3) writes it: {@code 127.0.0.1}, {@code ::1}, {@code fe80::1:2},
     * the longest run of two or more zero groups shortened to {@code ::} (the first, on a tie), lowercase hex,
     * and an IPv4-compatible {@code ::a.b.c.d} in dotted form.
     */
    public static String ntop(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        // Find the longest run of zero words.
        int bestBase = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && words[i] == 0) {
                i++;
            }
            if (i - start > bestLen) {
                bestBase = start;
                bestLen = i - start;
            }
        }
        if (bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    text.append(':');
                }
                continue;
            }
            if (i != 0) {
                text.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || bestLen == 5 && words[5] == 0xffff)) {
                text.append(b[12] & 0xff).append('.').append(b[13] & 0xff).append('.')
                        .append(b[14] & 0xff).append('.').append(b[15] & 0xff);
                return text.toString();
            }
            text.append(Integer.toHexString(words[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) {
            text.append(':');
        }
        return text.toString();
    }

    /** {@code 127.0.0.1:5000} or {@code [::1]:5000}: unambiguous, for JSON. */
    public static String hostPort(InetSocketAddress address) {
        return host(address) + ":" + address.getPort();
    }

    /** As {@link #hostPort}, with port 0 (a listener's remote end) written {@code *}: for people. */
    public static String hostPortOrStar(InetSocketAddress address) {
        return host(address) + ":" + (address.getPort() == 0 ? "*" : Integer.toString(address.getPort()));
    }

    private static String host(InetSocketAddress address) {
        String ip = ntop(address.getAddress());
        return address.getAddress() instanceof Inet4Address ? ip : "[" + ip + "]";
    }
}
