package io.echolab.it;

import static io.echolab.it.LabContainer.PORT;
import static io.echolab.it.Scenarios.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.echolab.common.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * S1 in its own network namespace, with the C programs' defaults: the server sleeps 10 s before close(),
 * so its side sits in CLOSE_WAIT and the client's in FIN_WAIT2 for 10 s; then the client's TIME_WAIT
 * lasts TCP_TIMEWAIT_LEN, 60 s, and the listener stays. This is the one test that waits for TIME_WAIT to end.
 */
@ExtendWith(DockerRequired.class)
class S1ArticleTraceIT {

    @Test
    void closeWaitAndFinWait2ForTenSecondsThenSixtySecondsOfTimeWait() throws Exception {
        try (LabContainer lab = LabContainer.start("S1", Map.of())) {
            Scenarios.connect(lab, List.of(), List.of("--hold", "60s")); // the server with echo_server2.c's defaults
            Scenarios.echoAndQuit(lab);

            WatchLog log = lab.awaitWatch("the client's TIME_WAIT to expire", Duration.ofSeconds(90),
                    l -> l.clientSide(PORT).map(WatchLog.Connection::gone).orElse(false));
            WatchLog.Connection client = log.clientSide(PORT).orElseThrow();
            WatchLog.Connection server = log.serverSide(PORT).orElseThrow();

            assertEquals(List.of("ESTABLISHED", "FIN_WAIT2", "TIME_WAIT", "CLOSED"), client.pollableStates(), log.describe());
            assertEquals(List.of("ESTABLISHED", "CLOSE_WAIT", "CLOSED"), server.pollableStates(), log.describe());
            Scenarios.assertLasted(client, "FIN_WAIT2", Duration.ofSeconds(10), Scenarios.TOLERANCE,
                    "the client waits in FIN_WAIT2 for the server's delayed close()");
            Scenarios.assertLasted(server, "CLOSE_WAIT", Duration.ofSeconds(10), Scenarios.TOLERANCE,
                    "the server side sits in CLOSE_WAIT for the 10 s close delay");
            assertEquals("timewait", client.entered("FIN_WAIT2").orElseThrow().timer(),
                    "an orphaned FIN_WAIT2 is a time-wait socket: st 05, timer 3");
            Duration timeWait = client.lasted("TIME_WAIT").orElseThrow();
            assertTrue(timeWait.compareTo(Duration.ofSeconds(60)) >= 0 && timeWait.compareTo(Duration.ofSeconds(63)) <= 0,
                    "TIME_WAIT ends 60 to 63 s after it began (TCP_TIMEWAIT_LEN plus the timer wheel's slack), on kernel "
                            + lab.kernel() + ": " + timeWait);
            assertFalse(log.listener(PORT).orElseThrow().gone(), "the listener stays: the server waits for client[1]");

            assertEquals(ExitCode.OK, lab.awaitExit("client", STARTUP), lab.err("client"));
            assertEquals("connect server success...\n"
                    + "Input(Q to quit): Message from server: aa\n"
                    + "Input(Q to quit): quit...\n"
                    + "close socket and sleep 60 seconds now...\n", lab.out("client"));
            String clientPort = client.local().substring(client.local().lastIndexOf(':') + 1);
            assertEquals("waiting connection to accept...\n"
                    + "Connected client[0]: 127.0.0.1:" + clientPort + "\n"
                    + "client[0] closed\n"
                    + "server sleep 10 seconds\n"
                    + "server close client socket\n"
                    + "waiting connection to accept...\n", lab.out("server"));
        }
    }
}
