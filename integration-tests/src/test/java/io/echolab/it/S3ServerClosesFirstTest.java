package io.echolab.it;

/** S3 on this machine's loopback. */
class S3ServerClosesFirstTest extends S3ServerClosesFirstScenario {

    @Override
    Lab lab() {
        return LocalLab.start();
    }
}
