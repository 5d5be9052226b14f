package io.echolab.watcher.report;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import io.echolab.common.DurationConverter;
import io.echolab.watcher.model.CloseWaitAlert;

/**
 * A CLOSE_WAIT alert as one warning line for standard error, naming the socket, since when, and who holds it:
 *
 * <pre>
 * warning: tcp 127.0.0.1:11233 -> 127.0.0.1:50214 in CLOSE_WAIT since 21:17:04.121, 5.002 s (over
 *   --alert-close-wait 5s), held by echo-server (pid 4242, fd 7): its peer closed, and echo-server has not called close()
 * </pre>
 * (one line, folded here).
 */
public final class AlertRenderer {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private AlertRenderer() {
    }

    /** The line, without the program's name; the time of day in {@code zone}. */
    public static String line(CloseWaitAlert alert, ZoneId zone) {
        String since = alert.sinceSeen() ? "since " + CLOCK.format(alert.since().atZone(zone)) + ", "
                : "since before watching began, at least ";
        String holder = alert.owner().map(o -> o.command() + " (pid " + o.pid() + ", fd " + o.fd() + ")")
                .orElse("a process the watcher cannot see (another user's? run as root)");
        String program = alert.owner().map(o -> o.command()).orElse("its program");
        return "warning: " + TimelineRenderer.header(alert.key()) + " in CLOSE_WAIT " + since
                + TimelineRenderer.seconds(alert.age()) + " (over --alert-close-wait "
                + DurationConverter.seconds(alert.threshold()) + "s), held by " + holder + ": its peer closed, and "
                + program + " has not called close()";
    }
}
