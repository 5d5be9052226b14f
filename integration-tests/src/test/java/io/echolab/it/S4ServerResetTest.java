package io.echolab.it;

/** S4 on this machine's loopback. */
class S4ServerResetTest extends S4ServerResetScenario {

    @Override
    Lab lab(String name) {
        return LocalLab.start();
    }
}
