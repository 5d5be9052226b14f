package io.echolab.it;

/** S8 on this machine's loopback. */
class S8UnreadDataResetTest extends S8UnreadDataResetScenario {

    @Override
    Lab lab() {
        return LocalLab.start();
    }
}
