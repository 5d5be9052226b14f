package io.echolab.common;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations the way people write them on a command line: {@code 500ms}, {@code 10s}, {@code 3m}, {@code 1h}. */
public final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /**
     * Parses a non-negative duration with a unit: ms, s, m or h; a bare {@code 0} is allowed.
     *
     * @throws TypeConversionException naming the bad value
     */
    public static Duration parse(String value) {
        String text = value.trim();
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new TypeConversionException(
                    "'" + value + "' is not a duration: use a number and a unit, like 500ms, 10s, 3m or 1h");
        }
        BigDecimal amount = new BigDecimal(m.group(1));
        BigDecimal millisPerUnit = switch (m.group(2)) {
            case "ms" -> BigDecimal.ONE;
            case "s" -> BigDecimal.valueOf(1_000);
            case "m" -> BigDecimal.valueOf(60_000);
            default -> BigDecimal.valueOf(3_600_000);
        };
        BigDecimal nanos = amount.multiply(millisPerUnit).multiply(BigDecimal.valueOf(1_000_000));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new TypeConversionException("'" + value + "' is too long a duration");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /**
     * The duration as the C programs print it after "sleep": whole seconds as an integer ({@code 10}),
     * anything finer as a decimal without trailing zeros ({@code 0.5}).
     */
    public static String seconds(Duration duration) {
        BigDecimal seconds = BigDecimal.valueOf(duration.toNanos(), 9).stripTrailingZeros();
        return seconds.scale() <= 0 ? seconds.toBigInteger().toString() : seconds.toPlainString();
    }
}
