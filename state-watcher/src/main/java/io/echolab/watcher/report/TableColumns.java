package io.echolab.watcher.report;

/**
 * The columns a table format adds to its rows when asked, as netstat and ss spell the options.
 *
 * @param owners {@code -p}: the process that holds or last held each socket (netstat's {@code PID/Program name},
 *               ss's {@code users:(("echo-server",pid=4242,fd=5))})
 * @param timers {@code -o}: each socket's timer (netstat's {@code timewait (59.87/0/0)}, ss's
 *               {@code timer:(timewait,59sec,0)})
 */
public record TableColumns(boolean owners, boolean timers) {

    /** The rows as {@code netstat -ant} and {@code ss -tan} print them. */
    public static final TableColumns PLAIN = new TableColumns(false, false);
}
