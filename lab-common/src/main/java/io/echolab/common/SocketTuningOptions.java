package io.echolab.common;

import java.util.Optional;
import java.util.OptionalInt;

import picocli.CommandLine.Option;

/** The {@code --linger} and {@code --keepalive} options, shared by the server and the client. */
public final class SocketTuningOptions {

    @Option(names = "--linger", paramLabel = "SECONDS",
            description = "Set SO_LINGER on each connection. 0 makes close() send RST at once: no FIN, no TIME_WAIT.")
    Integer lingerSeconds;

    @Option(names = "--keepalive", paramLabel = "IDLE/INTERVAL/COUNT", converter = Keepalive.Converter.class,
            description = "Turn on TCP keepalive: first probe after IDLE, then every INTERVAL, give up after COUNT "
                    + "unanswered probes, e.g. 2s/1s/3.")
    Keepalive keepalive;

    /** The options as given; picocli has already rejected malformed values. */
    public SocketTuning tuning() {
        return new SocketTuning(lingerSeconds == null ? OptionalInt.empty() : OptionalInt.of(lingerSeconds),
                Optional.ofNullable(keepalive));
    }
}
