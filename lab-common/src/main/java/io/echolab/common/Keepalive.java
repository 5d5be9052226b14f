package io.echolab.common;

import java.time.Duration;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * TCP keepalive settings: TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT, which the kernel takes in whole
 * seconds, then SO_KEEPALIVE on. Written {@code IDLE/INTERVAL/COUNT} on the command line, e.g. {@code 2s/1s/3}.
 */
public record Keepalive(int idleSeconds, int intervalSeconds, int count) {

    /** The kernel's upper bounds (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT in include/net/tcp.h). */
    static final int MAX_IDLE = 32_767;
    static final int MAX_INTERVAL = 32_767;
    static final int MAX_COUNT = 127;

    public Keepalive {
        check("idle", idleSeconds, MAX_IDLE);
        check("interval", intervalSeconds, MAX_INTERVAL);
        check("count", count, MAX_COUNT);
    }

    private static void check(String what, int value, int max) {
        if (value < 1 || value > max) {
            throw new IllegalArgumentException("keepalive " + what + " must be from 1 to " + max + ", not " + value);
        }
    }

    @Override
    public String toString() {
        return idleSeconds + "s/" + intervalSeconds + "s/" + count;
    }

    /** Reads {@code IDLE/INTERVAL/COUNT}: two durations in whole seconds ({@code 2s} or {@code 2}) and a count. */
    public static final class Converter implements ITypeConverter<Keepalive> {

        @Override
        public Keepalive convert(String value) {
            String[] parts = value.split("/", -1);
            if (parts.length != 3) {
                throw new TypeConversionException(
                        "'" + value + "' is not IDLE/INTERVAL/COUNT, e.g. 2s/1s/3 (idle 2 s, a probe every 1 s, 3 probes)");
            }
            try {
                return new Keepalive(seconds(parts[0], value), seconds(parts[1], value), Integer.parseInt(parts[2].trim()));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "': the probe count '" + parts[2] + "' is not a number");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "': " + e.getMessage());
            }
        }

        private static int seconds(String part, String whole) {
            String text = part.trim();
            Duration duration = text.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(text)) : DurationConverter.parse(text);
            if (duration.toNanos() % 1_000_000_000L != 0 || duration.getSeconds() > Integer.MAX_VALUE) {
                throw new TypeConversionException("'" + whole + "': keepalive times are whole seconds, not '" + part + "'");
            }
            return (int) duration.getSeconds();
        }
    }
}
