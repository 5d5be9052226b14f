package io.echolab.it;

import java.time.Duration;

/** S1 on this machine's loopback, a shorter close delay, TIME_WAIT's start checked but not its minute. */
class S1ArticleTraceTest extends S1ArticleTraceScenario {

    @Override
    Lab lab() {
        return LocalLab.start();
    }

    @Override
    Duration closeDelay() {
        return Duration.ofMillis(1500);
    }

    @Override
    boolean waitsForTimeWait() {
        return false;
    }
}
