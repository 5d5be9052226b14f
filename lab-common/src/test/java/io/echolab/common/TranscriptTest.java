package io.echolab.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class TranscriptTest {

    private final Clock noon = Clock.fixed(Instant.parse("2022-07-10T12:03:55.250Z"), ZoneOffset.UTC);

    @Test
    void eachEventIsStampedWithItsOwnTimeEvenAfterAPrompt() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Transcript out = new Transcript(sink, true, noon);
        out.text("Input(Q to quit): ");
        out.event(Instant.parse("2022-07-10T12:03:57.125Z"), "Message from server: ");
        byte[] echo = "aa\n".getBytes(StandardCharsets.UTF_8);
        out.bytes(echo, 0, echo.length);
        out.text("Input(Q to quit): ");
        out.line("quit...");
        assertEquals("12:03:55.250 Input(Q to quit): 12:03:57.125 Message from server: aa\n"
                + "12:03:55.250 Input(Q to quit): 12:03:55.250 quit...\n", sink.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutTimestampsTheLinesAreTheCProgramsExactly() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Transcript out = new Transcript(sink, false, noon);
        out.text("Input(Q to quit): ");
        out.event(Instant.parse("2022-07-10T12:03:57.125Z"), "Message from server: ");
        out.line("aa");
        assertEquals("Input(Q to quit): Message from server: aa\n", sink.toString(StandardCharsets.UTF_8));
    }

    @Test
    void bytesPassThroughUnchanged() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        byte[] binary = {0, (byte) 0xff, (byte) 0xc3, '\r', '\n'};
        new Transcript(sink, false, noon).bytes(binary, 0, binary.length);
        assertArrayEquals(binary, sink.toByteArray());
    }

    @Test
    void endLineOnlyEndsAStartedLine() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Transcript out = new Transcript(sink, false, noon);
        out.endLine();
        out.text("partial");
        out.endLine();
        out.endLine();
        assertEquals("partial\n", sink.toString(StandardCharsets.UTF_8));
    }
}
