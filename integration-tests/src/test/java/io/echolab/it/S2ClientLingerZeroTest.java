package io.echolab.it;

/** S2 on this machine's loopback. */
class S2ClientLingerZeroTest extends S2ClientLingerZeroScenario {

    @Override
    Lab lab() {
        return LocalLab.start();
    }
}
