package io.echolab.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    @Test
    void readsEachUnit() {
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofSeconds(10), DurationConverter.parse("10s"));
        assertEquals(Duration.ofMinutes(3), DurationConverter.parse("3m"));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
        assertEquals(Duration.ofMillis(1500), DurationConverter.parse("1.5s"));
        assertEquals(Duration.ofMillis(1), DurationConverter.parse("1ms"));
        assertEquals(Duration.ZERO, DurationConverter.parse("0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "-1s", "s", "10 sec", "1d", "ten s", "1e3ms"})
    void rejectsWithTheValueInTheMessage(String value) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> DurationConverter.parse(value));
        assertTrue(e.getMessage().contains("'" + value + "'"), "the message should quote the bad value: " + e.getMessage());
    }

    @Test
    void printsSecondsAsTheCProgramsDo() {
        assertEquals("10", DurationConverter.seconds(Duration.ofSeconds(10)));
        assertEquals("180", DurationConverter.seconds(Duration.ofSeconds(180)));
        assertEquals("0", DurationConverter.seconds(Duration.ZERO));
        assertEquals("0.5", DurationConverter.seconds(Duration.ofMillis(500)));
        assertEquals("1.25", DurationConverter.seconds(Duration.ofMillis(1250)));
    }
}
