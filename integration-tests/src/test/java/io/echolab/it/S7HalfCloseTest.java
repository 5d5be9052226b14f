package io.echolab.it;

/** S7 on this machine's loopback. */
class S7HalfCloseTest extends S7HalfCloseScenario {

    @Override
    Lab lab() {
        return LocalLab.start();
    }
}
