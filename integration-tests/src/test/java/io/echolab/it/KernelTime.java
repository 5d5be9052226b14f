package io.echolab.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * What the kernel promises about its timers, for the bounds the scenario tests assert, on the kernel the
 * tests run on (the containers share the host's kernel).
 *
 * <p>A timer_list timer (TIME_WAIT's, an orphaned FIN_WAIT2's) is filed in the timer wheel (kernel/time/timer.c)
 * at the level its timeout falls in: level 0 holds timeouts under 63 jiffies to the jiffy, and each level up
 * holds 8 times longer ones at 8 times coarser granularity (LVL_CLK_SHIFT 3, LVL_SIZE 64). A timer fires at
 * the end of its bucket: never early, at most one granularity of its level late, plus the tick that runs
 * the wheel. A 60 s timer is filed at level 3 (2.048 s granularity) at HZ=250, at level 4 (4.096 s) at
 * HZ=1000, at level 3 (5.12 s) at HZ=100: the bound depends on HZ, which {@link #hz()} reads.
 *
 * <p>Whatever a program does is seen by the kernel a scheduling delay after the program's stamp of it: the
 * thread stamps, then makes the call. On a machine this busy (the suite and one CPU-bound process beside
 * it, as scripts/test-under-load.sh runs it) a woken thread waits a few of EEVDF's 3 ms slices at most;
 * {@link #SCHEDULING} allows an order of magnitude more. A polling watcher adds its interval on top.
 */
final class KernelTime {

    /** How far apart a program's stamp and the kernel's change it made may be: see the class comment. */
    static final Duration SCHEDULING = Duration.ofMillis(100);

    private static final int LVL_CLK_SHIFT = 3;
    private static final int LVL_SIZE = 64;
    private static final int LVL_DEPTH = 9;
    private static final Pattern CONFIG_HZ = Pattern.compile("(?m)^CONFIG_HZ=(\\d+)$");
    private static final Pattern JIFFIES = Pattern.compile("(?m)^jiffies: (\\d+)$");
    private static final Pattern NOW = Pattern.compile("(?m)^now at (\\d+) nsecs$");

    private static Integer hz;

    private KernelTime() {
    }

    /**
     * The kernel's HZ: from its config (/proc/config.gz, or /boot/config-RELEASE), else measured from
     * /proc/timer_list's jiffies (root), else 100, which gives the coarsest wheel for long timers.
     */
    static synchronized int hz() {
        if (hz == null) {
            hz = fromConfig().or(KernelTime::measured).orElse(100);
        }
        return hz;
    }

    /** How late a timer of {@code timeout} may fire: its wheel level's granularity plus one tick. */
    static Duration wheelSlack(Duration timeout) {
        int hz = hz();
        long jiffies = (timeout.toNanos() * hz + 999_999_999L) / 1_000_000_000L;
        int level = 0;
        while (level < LVL_DEPTH - 1 && jiffies >= levelStart(level + 1)) {
            level++;
        }
        long granularity = 1L << (level * LVL_CLK_SHIFT);
        return Duration.ofNanos((granularity + 1) * 1_000_000_000L / hz);
    }

    /** TCP_RTO_MIN: HZ/5 jiffies, the base of tcp_model_timeout() for an established socket. */
    static final Duration TCP_RTO_MIN = Duration.ofMillis(200);

    /**
     * An orphaned socket retransmitting one segment (its FIN) into silence, as this kernel does it (read in
     * tcp_timer.c and tcp_output.c, and traced with tcp:tcp_retransmit_skb):
     * <ol>
     * <li>The first firing, one RTO after the segment (a loss probe's timeout, srtt/4 + TCP_RTO_MIN for one
     *     segment in flight, capped at the RTO: the RTO on loopback), sends a tail loss probe
     *     (tcp_early_retrans 3, the default): not counted as a retransmission, and the RTO is not doubled.
     * <li>The next, one RTO later, is the first retransmission: it stamps retrans_stamp.
     * <li>Each later firing comes after double the wait before (tcp_retransmit_timer), and gives up
     *     (tcp_write_timeout with SOCK_DEAD) once the time since retrans_stamp has reached tcp_model_timeout()
     *     for tcp_orphan_retries, ((2 &lt;&lt; retries) - 1) x TCP_RTO_MIN (0 retries mean 8 while the RTO is under
     *     TCP_RTO_MAX); otherwise it retransmits again.
     * </ol>
     *
     * @param lifetime    from the segment's first transmission to the firing that gives up
     * @param retransmits how many retransmissions came before (the loss probe is not one)
     * @param slack       how late that firing may be: each firing's wheel slack, carried into the next
     */
    record Orphan(Duration lifetime, int retransmits, Duration slack) {
    }

    static Orphan orphan(Duration rto, int orphanRetries) {
        int retries = orphanRetries == 0 ? 8 : orphanRetries;
        long model = ((2L << retries) - 1) * TCP_RTO_MIN.toNanos();
        long wait = rto.toNanos();
        long fired = 2 * wait;        // the loss probe at one RTO, the first retransmission one RTO later
        long stamp = fired;
        Duration slack = wheelSlack(rto).multipliedBy(2);
        int retransmits = 1;
        while (true) {
            wait *= 2;
            fired += wait;
            slack = slack.plus(wheelSlack(Duration.ofNanos(wait)));
            if (fired - stamp >= model) {
                return new Orphan(Duration.ofNanos(fired), retransmits, slack);
            }
            retransmits++;
        }
    }

    /**
     * When keepalive gives up on a silent peer (tcp_keepalive_timer()): the first probe {@code idle} after the
     * last segment received, one every {@code interval} after, and the error at the firing that finds
     * {@code count} probes unanswered: idle + count x interval after that segment, each firing up to its wheel
     * slack late.
     */
    static Duration keepaliveGivesUp(Duration idle, Duration interval, int count) {
        return idle.plus(interval.multipliedBy(count));
    }

    static Duration keepaliveSlack(Duration idle, Duration interval, int count) {
        return wheelSlack(idle).plus(wheelSlack(interval).multipliedBy(count));
    }

    /** The shortest timeout filed at {@code level}: LVL_START(n) = (LVL_SIZE - 1) << ((n - 1) * LVL_CLK_SHIFT). */
    private static long levelStart(int level) {
        return (long) (LVL_SIZE - 1) << ((level - 1) * LVL_CLK_SHIFT);
    }

    private static Optional<Integer> fromConfig() {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of("/proc/config.gz")))) {
            return match(CONFIG_HZ, new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            try {
                String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
                return match(CONFIG_HZ, Files.readString(Path.of("/boot/config-" + release)));
            } catch (IOException noConfig) {
                return Optional.empty();
            }
        }
    }

    /** Jiffies counted over a known stretch of CLOCK_MONOTONIC, both from /proc/timer_list; rounded to a common HZ. */
    private static Optional<Integer> measured() {
        try {
            String before = Files.readString(Path.of("/proc/timer_list"));
            Thread.sleep(500);
            String after = Files.readString(Path.of("/proc/timer_list"));
            Optional<Integer> j0 = match(JIFFIES, before);
            Optional<Integer> j1 = match(JIFFIES, after);
            Matcher n0 = NOW.matcher(before);
            Matcher n1 = NOW.matcher(after);
            if (j0.isEmpty() || j1.isEmpty() || !n0.find() || !n1.find()) {
                return Optional.empty();
            }
            double seconds = (Long.parseLong(n1.group(1)) - Long.parseLong(n0.group(1))) / 1e9;
            double rate = (j1.get() - j0.get()) / seconds;
            int best = 100;
            for (int common : new int[] {100, 250, 300, 1000}) {
                if (Math.abs(rate - common) < Math.abs(rate - best)) {
                    best = common;
                }
            }
            return Optional.of(best);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Optional<Integer> match(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? Optional.of((int) Long.parseLong(m.group(1))) : Optional.empty();
    }
}
