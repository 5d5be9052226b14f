package io.echolab.it;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A program's line printed with {@code --timestamps}: what it says, without its stamps, and when it
 * happened. A line may carry more than one stamp (a prompt, then what was typed at it); the last is the
 * moment the line's own news happened.
 *
 * @param time the last stamp on the line, on the program's clock and in its zone
 * @param text the line with every stamp taken out: as the C program prints it
 */
record Stamped(Instant time, String text) {

    /** {@code HH:mm:ss.SSS } at the start of a line or after the prompt. */
    private static final Pattern STAMP = Pattern.compile("(?<=^|: )(\\d{2}:\\d{2}:\\d{2}\\.\\d{3}) ");

    /** The output's lines. Stamps are read in {@code zone}, on the day closest to {@code near}. */
    static List<Stamped> parse(String output, ZoneId zone, Instant near) {
        List<Stamped> lines = new ArrayList<>();
        for (String line : output.lines().toList()) {
            Matcher m = STAMP.matcher(line);
            Instant time = null;
            while (m.find()) {
                time = at(LocalTime.parse(m.group(1)), zone, near);
            }
            lines.add(new Stamped(time, STAMP.matcher(line).replaceAll("")));
        }
        return lines;
    }

    /** The output without its stamps: what the C program would have printed. */
    static String unstamped(String output) {
        StringBuilder text = new StringBuilder();
        for (String line : output.split("\n", -1)) {
            text.append(STAMP.matcher(line).replaceAll("")).append('\n');
        }
        text.setLength(text.length() - 1);
        return text.toString();
    }

    /** The local time on whichever day puts it nearest {@code near} (a run never spans more than hours). */
    private static Instant at(LocalTime time, ZoneId zone, Instant near) {
        LocalDate day = near.atZone(zone).toLocalDate();
        Instant best = null;
        for (int offset = -1; offset <= 1; offset++) {
            Instant candidate = ZonedDateTime.of(day.plusDays(offset), time, zone).toInstant();
            if (best == null || Math.abs(candidate.toEpochMilli() - near.toEpochMilli())
                    < Math.abs(best.toEpochMilli() - near.toEpochMilli())) {
                best = candidate;
            }
        }
        return best;
    }
}
