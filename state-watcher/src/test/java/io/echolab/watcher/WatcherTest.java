package io.echolab.watcher;

import static io.echolab.watcher.ScriptedSource.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.echolab.testing.Await;
import io.echolab.watcher.ScriptedSource.ManualClock;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;

/** The poll-to-poll diff and the loop, with scripted rows (no kernel claim here). */
class WatcherTest {

    private static final Instant T0 = Instant.parse("2022-07-10T09:03:54Z");

    /** Records what the watcher says, in order. */
    private static final class Recorder implements WatchListener {
        final List<StateChange> changes = Collections.synchronizedList(new ArrayList<>());
        final List<List<TcpSocket>> samples = Collections.synchronizedList(new ArrayList<>());
        final List<Instant> sampleTimes = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onChanges(Instant time, List<StateChange> group, List<TcpSocket> view) {
            changes.addAll(group);
        }

        @Override
        public void onSample(Instant time, List<TcpSocket> view) {
            samples.add(view);
            sampleTimes.add(time);
        }

        /** "state previous" per change, e.g. "11233>58332 CLOSE_WAIT<ESTABLISHED". */
        List<String> summary() {
            return changes.stream().map(c -> c.key().local().getPort() + ">" + c.key().remote().getPort() + " "
                    + c.state() + "<" + c.previous()).toList();
        }
    }

    private final ManualClock clock = new ManualClock(T0);
    private final Recorder recorder = new Recorder();

    private Watcher watcher(ScriptedSource source) {
        Backend.SocketSource watched = () -> source.rows().stream()
                .filter(socket -> socket.local().getPort() == 11233 || socket.remote().getPort() == 11233).toList();
        return new Watcher(Backend.polled("scripted", watched), Duration.ofMillis(1), clock, List.of(recorder));
    }

    @Test
    void firstPollRowsAreNewAndInitialInProcOrder() throws IOException {
        Watcher watcher = watcher(new ScriptedSource()
                .then(row(11233, 0, TcpState.LISTEN), row(22, 0, TcpState.LISTEN), row(58332, 11233, TcpState.ESTABLISHED)));

        watcher.poll();

        assertEquals(List.of("11233>0 LISTEN<null", "58332>11233 ESTABLISHED<null"), recorder.summary(),
                "port 22 is filtered out; the rest in /proc's order");
        assertTrue(recorder.changes.stream().allMatch(c -> c.initial() && c.isNew() && !c.previousStartSeen()));
        assertEquals(1, recorder.samples.size());
        assertEquals(2, recorder.samples.get(0).size(), "the sample holds the matching rows only");
    }

    @Test
    void changesCarryTimeInPreviousStateAndWhetherItsStartWasSeen() throws IOException {
        Watcher watcher = watcher(new ScriptedSource()
                .then(row(58332, 11233, TcpState.ESTABLISHED))
                .then(row(58332, 11233, TcpState.FIN_WAIT2))
                .then(row(58332, 11233, TcpState.TIME_WAIT)));

        watcher.poll();
        clock.advance(Duration.ofMillis(1500));
        watcher.poll();
        clock.advance(Duration.ofSeconds(10));
        watcher.poll();

        StateChange toFinWait2 = recorder.changes.get(1);
        assertEquals(TcpState.FIN_WAIT2, toFinWait2.state());
        assertEquals(TcpState.ESTABLISHED, toFinWait2.previous());
        assertEquals(Duration.ofMillis(1500), toFinWait2.timeInPrevious());
        assertFalse(toFinWait2.previousStartSeen(), "ESTABLISHED was there before watching began");
        assertEquals(T0.plusMillis(1500), toFinWait2.time());
        StateChange toTimeWait = recorder.changes.get(2);
        assertEquals(Duration.ofSeconds(10), toTimeWait.timeInPrevious());
        assertTrue(toTimeWait.previousStartSeen(), "FIN_WAIT2 began while watching");
        assertEquals(StateChange.Kind.CHANGE, toTimeWait.kind());
    }

    @Test
    void aChangeIsDatedWhenTheKernelAnsweredNotWhenThePollBegan() throws IOException {
        ScriptedSource script = new ScriptedSource()
                .then(row(58332, 11233, TcpState.ESTABLISHED))
                .then(row(58332, 11233, TcpState.FIN_WAIT2));
        // Each read of the table takes 3 ms: a change it shows may have been made during it, so only the time
        // after it is sure to come after the change
        Backend.SocketSource slow = () -> {
            clock.advance(Duration.ofMillis(3));
            return script.rows();
        };
        Watcher watcher = new Watcher(Backend.polled("slow", slow), Duration.ofMillis(1), clock, List.of(recorder));

        watcher.poll();
        watcher.poll();

        assertEquals(T0.plusMillis(3), recorder.changes.get(0).time());
        assertEquals(T0.plusMillis(6), recorder.changes.get(1).time(), "the second read ended 6 ms in");
        assertEquals(List.of(T0.plusMillis(3), T0.plusMillis(6)), recorder.sampleTimes, "each sample at the same time");
    }

    @Test
    void connectionsAppearingLaterAreNotInitial() throws IOException {
        Watcher watcher = watcher(new ScriptedSource()
                .then(row(11233, 0, TcpState.LISTEN))
                .then(row(11233, 0, TcpState.LISTEN), row(58332, 11233, TcpState.ESTABLISHED))
                .then(row(11233, 0, TcpState.LISTEN), row(58332, 11233, TcpState.FIN_WAIT2)));

        watcher.poll();
        watcher.poll();
        clock.advance(Duration.ofMillis(20));
        watcher.poll();

        assertEquals(List.of("11233>0 LISTEN<null", "58332>11233 ESTABLISHED<null", "58332>11233 FIN_WAIT2<ESTABLISHED"),
                recorder.summary(), "an unchanged LISTEN row is no change");
        assertFalse(recorder.changes.get(1).initial(), "appeared after the first poll");
        assertTrue(recorder.changes.get(2).previousStartSeen(), "its ESTABLISHED began while watching");
        assertEquals(3, recorder.samples.size(), "every poll is a sample, changed or not");
    }

    @Test
    void vanishedRowsComeAfterTheCurrentOnesWithNoState() throws IOException {
        Watcher watcher = watcher(new ScriptedSource()
                .then(row(11233, 58332, TcpState.CLOSE_WAIT), row(58332, 11233, TcpState.FIN_WAIT2),
                        row(11233, 0, TcpState.LISTEN))
                .then(row(58332, 11233, TcpState.TIME_WAIT), row(11233, 40000, TcpState.ESTABLISHED),
                        row(11233, 0, TcpState.LISTEN)));

        watcher.poll();
        recorder.changes.clear();
        clock.advance(Duration.ofSeconds(10));
        watcher.poll();

        assertEquals(List.of("58332>11233 TIME_WAIT<FIN_WAIT2", "11233>40000 ESTABLISHED<null", "11233>58332 null<CLOSE_WAIT"),
                recorder.summary());
        StateChange gone = recorder.changes.get(2);
        assertTrue(gone.gone());
        assertNull(gone.row());
        assertEquals(Duration.ofSeconds(10), gone.timeInPrevious());
        assertEquals(StateChange.Kind.GONE, gone.kind());
    }

    @Test
    void aRetransmitCountThatGrowsIsAnUpdateWithinTheState() throws IOException {
        Watcher watcher = watcher(new ScriptedSource()
                .then(row(58332, 11233, TcpState.FIN_WAIT1, 0))
                .then(row(58332, 11233, TcpState.FIN_WAIT1, 3)));

        watcher.poll();
        clock.advance(Duration.ofMillis(200));
        watcher.poll();

        assertEquals(List.of("58332>11233 FIN_WAIT1<null", "58332>11233 FIN_WAIT1<FIN_WAIT1"), recorder.summary());
        StateChange update = recorder.changes.get(1);
        assertEquals(StateChange.Kind.UPDATE, update.kind());
        assertEquals(3, update.row().retransmits());
        assertEquals(Duration.ofMillis(200), update.timeInPrevious(), "in FIN_WAIT1 this long so far");
    }

    @Test
    void queueChangesAndTheRetransmitTimerComingAndGoingAreNoChange() throws IOException {
        TcpSocket idle = row(58332, 11233, TcpState.ESTABLISHED, 0);
        TcpSocket sending = new TcpSocket("tcp", idle.local(), idle.remote(), TcpState.ESTABLISHED, 5, 2,
                TimerKind.RETRANSMIT, Duration.ofMillis(200), 0, 0, 1000, 0, 0);
        Watcher watcher = watcher(new ScriptedSource().then(idle).then(sending).then(idle));

        watcher.poll();
        watcher.poll();
        watcher.poll();

        assertEquals(1, recorder.changes.size(), "every segment in flight arms the retransmit timer: no news");
        assertEquals(5, recorder.samples.get(1).get(0).txQueue(), "the sample still has the new row");
    }

    @Test
    void twoRowsWithOneIdentityAreOneConnection() throws IOException {
        // Two SO_REUSEPORT listeners on one port have the same addresses.
        Watcher watcher = watcher(new ScriptedSource()
                .then(row(11233, 0, TcpState.LISTEN), row(11233, 0, TcpState.LISTEN))
                .then(row(11233, 0, TcpState.LISTEN)));

        watcher.poll();
        watcher.poll();

        assertEquals(List.of("11233>0 LISTEN<null"), recorder.summary());
        assertEquals(2, recorder.samples.get(0).size(), "the sample keeps both rows, as netstat would");
    }

    @Test
    void runPollsOnItsThreadUntilStoppedFromAnother() throws Exception {
        ScriptedSource source = new ScriptedSource().then(row(11233, 0, TcpState.LISTEN));
        CountDownLatch threePolls = new CountDownLatch(3);
        Watcher counting = new Watcher(Backend.polled("scripted", source), Duration.ofMillis(1), Clock.systemUTC(),
                List.of(new WatchListener() {
                    @Override
                    public void onSample(Instant time, List<TcpSocket> view) {
                        threePolls.countDown();
                    }
                }));

        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                counting.run();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(threePolls.await(10, TimeUnit.SECONDS), "a 1 ms watcher polls again and again");
        counting.stop();

        running.get(10, TimeUnit.SECONDS);
        assertTrue(counting.isStopped());
    }

    @Test
    void runForReturnsAfterTheDurationHavingPolledRepeatedly() throws IOException {
        ScriptedSource source = new ScriptedSource().then(row(11233, 0, TcpState.LISTEN));
        Watcher watcher = new Watcher(Backend.polled("scripted", source), Duration.ofMillis(1), Clock.systemUTC(), List.of(recorder));

        long start = System.nanoTime();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> watcher.runFor(Duration.ofMillis(200)));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(elapsedMillis >= 200, "runFor(200ms) must not return early: " + elapsedMillis + " ms");
        assertTrue(source.polls() >= 2, "more than one poll in 200 ms at 1 ms: " + source.polls());
        assertEquals(1, recorder.changes.size(), "one listener, seen once");
    }

    @Test
    void runForWaitsOutTheDurationBetweenPolls() throws IOException {
        ScriptedSource source = new ScriptedSource().then(row(11233, 0, TcpState.LISTEN));
        Watcher watcher = new Watcher(Backend.polled("scripted", source), Duration.ofMillis(150), Clock.systemUTC(), List.of(recorder));

        long start = System.nanoTime();
        watcher.runFor(Duration.ofMillis(200));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(elapsedMillis >= 200, "polls at 0 and 150 ms, then waits until 200 ms: " + elapsedMillis + " ms");
    }

    @Test
    void stopWakesAWatcherWaitingForItsNextPoll() throws Exception {
        ScriptedSource source = new ScriptedSource().then(row(11233, 0, TcpState.LISTEN));
        Watcher watcher = new Watcher(Backend.polled("scripted", source), Duration.ofHours(1), Clock.systemUTC(), List.of(recorder));
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                watcher.run();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("the first poll", () -> source.polls() == 1, source::polls);

        watcher.stop();

        running.get(10, TimeUnit.SECONDS); // an hour's wait would time out here
        assertEquals(1, source.polls());
    }

    @Test
    void aStoppedWatcherDoesNotPoll() throws IOException {
        ScriptedSource source = new ScriptedSource().then(row(11233, 0, TcpState.LISTEN));
        Watcher watcher = new Watcher(Backend.polled("scripted", source), Duration.ofSeconds(1), Clock.systemUTC(), List.of(recorder));

        watcher.stop();
        watcher.run();

        assertEquals(0, source.polls());
    }

    @Test
    void aFailedSampleEndsTheRun() {
        Watcher watcher = new Watcher(Backend.polled("scripted", ScriptedSource.failing()), Duration.ofMillis(1), Clock.systemUTC(),
                List.of(recorder));

        IOException e = assertThrows(IOException.class, watcher::run);

        assertEquals("gone", e.getMessage());
    }

    @Test
    void intervalMustBePositive() {
        ScriptedSource source = new ScriptedSource();
        assertThrows(IllegalArgumentException.class,
                () -> new Watcher(Backend.polled("scripted", source), Duration.ZERO, Clock.systemUTC(), List.of()));
    }
}
