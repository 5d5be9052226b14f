package io.echolab.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class KeepaliveTest {

    private final Keepalive.Converter converter = new Keepalive.Converter();

    @Test
    void readsDurationsOrPlainSeconds() {
        assertEquals(new Keepalive(2, 1, 3), converter.convert("2s/1s/3"));
        assertEquals(new Keepalive(2, 1, 3), converter.convert("2/1/3"));
        assertEquals(new Keepalive(120, 30, 5), converter.convert("2m/30s/5"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2s/1s", "2s/1s/3/4", "500ms/1s/3", "0/1/3", "2/1/0", "2/1/128", "2/1/x", "a/1/3"})
    void rejectsWhatTheKernelWouldNotTake(String value) {
        assertThrows(TypeConversionException.class, () -> converter.convert(value));
    }
}
