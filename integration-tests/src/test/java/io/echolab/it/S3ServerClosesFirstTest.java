package io.echolab.it;

import static io.echolab.it.Lab.STARTUP;
import static io.echolab.it.Lab.lasted;
import static io.echolab.it.Lab.near;
import static io.echolab.it.Lab.phase;
import static io.echolab.it.Lab.pollableStates;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.echolab.common.ExitCode;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;

/**
 * S3: the side that closes first gets TIME_WAIT. With {@code --close-after 1} the server closes right after
 * the first echo: its accepted socket waits in FIN_WAIT2 while the client idles in CLOSE_WAIT, then, when
 * the client quits, the server side holds TIME_WAIT (local port = the server's) and the client's socket is gone.
 */
class S3ServerClosesFirstTest {

    /** How long the user sits at the prompt after the server has closed: part of the scenario. */
    private static final Duration IDLE = Duration.ofSeconds(1);

    @Test
    void timeWaitMovesToTheServerSide() throws Exception {
        try (Lab.Session session = Lab.session(List.of("--close-after", "1"), List.of("--hold", "0"))) {
            session.keyboard().type("aa\n");
            Connection idling = session.kernel().await("the client in CLOSE_WAIT", STARTUP, session.kernel()::clientSide,
                    c -> c.last().state() == TcpState.CLOSE_WAIT);
            Instant closeWaitStart = idling.last().start();
            Thread.sleep(IDLE.toMillis()); // the user idles at the prompt: the scenario's own delay, not a wait for a condition
            session.keyboard().type("q\n");
            assertEquals(ExitCode.OK, session.client().awaitExit(STARTUP), session.client().err());

            Connection serverSide = session.kernel().await("the server side's TIME_WAIT", STARTUP, session.kernel()::serverSide,
                    c -> c.states().contains(TcpState.TIME_WAIT));
            Connection clientSide = session.kernel().await("the client's socket gone", STARTUP, session.kernel()::clientSide, Connection::gone);

            assertEquals(List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT2, TcpState.TIME_WAIT), pollableStates(serverSide),
                    "the server closed first\n" + session.kernel().describe());
            assertEquals(List.of(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT), pollableStates(clientSide),
                    "the client was closed on\n" + session.kernel().describe());
            Phase closeWait = phase(clientSide, TcpState.CLOSE_WAIT);
            Phase finWait2 = phase(serverSide, TcpState.FIN_WAIT2);
            assertEquals(closeWaitStart, closeWait.start());
            assertTrue(near(lasted(closeWait), IDLE), "the client's CLOSE_WAIT lasts until it quits: " + closeWait);
            assertTrue(near(lasted(finWait2), IDLE), "the server's FIN_WAIT2 lasts as long: " + finWait2);

            Phase timeWait = phase(serverSide, TcpState.TIME_WAIT);
            assertEquals(session.server().port, serverSide.key().local().getPort(), "TIME_WAIT is on the server's port");
            assertEquals(TimerKind.TIME_WAIT, timeWait.timerAtStart());
            assertTrue(timeWait.timerRemainingAtStart().compareTo(Duration.ofSeconds(59)) > 0,
                    "TIME_WAIT's timer should start near 60 s: " + timeWait.timerRemainingAtStart());
            assertFalse(clientSide.states().contains(TcpState.TIME_WAIT), "the client closed second: no TIME_WAIT");

            assertTrue(session.server().program.out().contains("server closes first after 1 message(s)\nserver close client socket\n"),
                    session.server().program.out());
        }
    }
}
