package io.echolab.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline; on timeout, fails saying what was awaited and what was seen. */
public final class Await {

    public static final Duration DEADLINE = Duration.ofSeconds(15);

    private Await() {
    }

    public static void until(String what, BooleanSupplier condition, Supplier<Object> seen) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + DEADLINE.toSeconds() + " s waiting for " + what + "; saw " + seen.get());
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }
}
