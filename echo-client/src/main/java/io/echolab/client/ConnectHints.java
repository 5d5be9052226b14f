package io.echolab.client;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

import io.echolab.common.DurationConverter;
import io.echolab.common.Situation;

/** The hint line after a failed connect: the address tried, and the likely cause where there is one. */
final class ConnectHints {

    private ConnectHints() {
    }

    /** A hint for a connect to {@code server} that failed this way; {@code timeout} when it timed out. */
    static Optional<String> hint(Situation situation, InetSocketAddress server, Optional<Duration> timeout) {
        String where = address(server);
        return switch (situation) {
            case REFUSED -> Optional.of(server.getAddress() instanceof Inet6Address
                    ? "hint: nothing listens on " + where + " (IPv6); echo-server listens on 0.0.0.0, IPv4 only, unless "
                            + "started with --bind ::; connect to 127.0.0.1 or restart the server with --bind ::"
                    : "hint: nothing listens on " + where + ": is the server running, on that port, and still "
                            + "accepting (echo-server ends after --clients)?");
            case TIMED_OUT -> Optional.of("hint: " + where + " did not answer"
                    + timeout.map(t -> " within " + DurationConverter.seconds(t) + " s").orElse("")
                    + ": a firewall dropping packets, or a listener whose accept queue is full");
            case UNREACHABLE -> Optional.of("hint: no route to " + where + " from this host (ip route get "
                    + server.getAddress().getHostAddress() + ")");
            case ADDRESS_NOT_AVAILABLE -> Optional.of("hint: no local port is free to reach " + where
                    + ": TIME_WAIT sockets may hold them all (ss -tan state time-wait | wc -l; "
                    + "net.ipv4.ip_local_port_range)");
            case ADDRESS_IN_USE -> Optional.of("hint: the source port is taken, often by a TIME_WAIT socket of an "
                    + "earlier connection to " + where);
            default -> Optional.empty();
        };
    }

    /** {@code 127.0.0.1:11233}, {@code [::1]:11233}. */
    static String address(InetSocketAddress server) {
        String host = server.getAddress().getHostAddress();
        return (server.getAddress() instanceof Inet6Address ? "[" + compressed(host) + "]" : host) + ":" + server.getPort();
    }

    /** An IPv6 address as people write it (RFC 5952): the longest run of zero groups as {@code ::}. */
    static String compressed(String ipv6) {
        String[] groups = ipv6.replaceFirst("%.*$", "").split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail;
    }
}
