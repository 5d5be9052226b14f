package io.echolab.client;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a load run did.
 *
 * @param attempted how many connections were tried
 * @param made      how many connected, echoed and closed cleanly
 * @param failures  failed connections counted by reason, in the order each reason first appeared
 * @param elapsed   wall time of the run
 * @param stoppedByTime whether {@code --max-time} cut the run short
 */
public record LoadResult(int attempted, int made, Map<String, Integer> failures, Duration elapsed, boolean stoppedByTime) {

    public LoadResult {
        failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    }

    /** Connections attempted that failed. */
    public int failed() {
        return attempted - made;
    }

    /** Connections made per second of the run. */
    public double rate() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? made / seconds : 0;
    }
}
