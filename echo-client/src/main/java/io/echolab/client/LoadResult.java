package io.echolab.client;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

import io.echolab.common.Situation;

/**
 * What a load run did.
 *
 * @param attempted    how many connections were tried to their end
 * @param made         how many connected, echoed every byte and closed
 * @param failures     failed connections counted by reason, in the order each reason first appeared
 * @param situations   failed connections counted by situation (refused, timed out, ...), for the hints
 * @param echoTimeouts connections the kernel accepted whose echo did not come back in time
 * @param elapsed      wall time of the run
 * @param stop         why the run ended before its count, if it did
 */
public record LoadResult(int attempted, int made, Map<String, Integer> failures, Map<Situation, Integer> situations,
                         int echoTimeouts, Duration elapsed, LoadGenerator.Stop stop) {

    public LoadResult {
        failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
        situations = situations.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(situations));
    }

    /** Connections attempted that failed. */
    public int failed() {
        return attempted - made;
    }

    /** Whether {@code --max-time} cut the run short. */
    public boolean stoppedByTime() {
        return stop == LoadGenerator.Stop.MAX_TIME;
    }

    /** Connections made per second of the run. */
    public double rate() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? made / seconds : 0;
    }
}
