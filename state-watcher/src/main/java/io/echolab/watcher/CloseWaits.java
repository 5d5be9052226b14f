package io.echolab.watcher;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

import io.echolab.watcher.model.CloseWaitAlert;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;

/**
 * The watched sockets now in CLOSE_WAIT and since when: an alert for each that stays longer than the
 * threshold (once per connection; a new connection on the same ports is another), the oldest one's age, and
 * how long each CLOSE_WAIT lasted once it ends. Ages are checked at every poll, so an alert comes at most a poll
 * late (with the tracepoint and nothing else to poll, {@link Watcher#IDLE_WAIT}). Attach it after the
 * {@link OwnerTracker} whose owners it names. Safe to ask from any thread.
 */
final class CloseWaits implements WatchListener {

    /** A socket in CLOSE_WAIT: since when, whether that start was seen, and whether it has been alerted. */
    private record Waiting(Instant since, boolean sinceSeen, boolean alerted) {
    }

    private final Optional<Duration> threshold;
    private final Function<ConnectionKey, Optional<Owner>> owners;
    private final Consumer<CloseWaitAlert> alerts;
    private final Consumer<Duration> ended;
    private final Map<ConnectionKey, Waiting> waiting = new LinkedHashMap<>();

    /**
     * @param threshold how long a socket may stay in CLOSE_WAIT before an alert; empty for no alerts
     * @param owners    who holds each connection
     * @param alerts    hears each alert, on the watcher's thread
     * @param ended     hears how long each CLOSE_WAIT lasted, when it ends (its start seen)
     */
    CloseWaits(Optional<Duration> threshold, Function<ConnectionKey, Optional<Owner>> owners,
            Consumer<CloseWaitAlert> alerts, Consumer<Duration> ended) {
        this.threshold = Objects.requireNonNull(threshold, "threshold");
        this.owners = Objects.requireNonNull(owners, "owners");
        this.alerts = Objects.requireNonNull(alerts, "alerts");
        this.ended = Objects.requireNonNull(ended, "ended");
    }

    @Override
    public synchronized void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
        for (StateChange change : changes) {
            if (change.isUpdate()) {
                continue;
            }
            Waiting left = change.previous() == TcpState.CLOSE_WAIT || change.isNew() ? waiting.remove(change.key()) : null;
            if (left != null && left.sinceSeen()) {
                ended.accept(Duration.between(left.since(), change.time()));
            }
            if (change.state() == TcpState.CLOSE_WAIT) {
                waiting.put(change.key(), new Waiting(change.time(), !change.initial(), false));
            }
        }
    }

    @Override
    public synchronized void onSample(Instant time, List<TcpSocket> view) {
        if (threshold.isEmpty()) {
            return;
        }
        for (Map.Entry<ConnectionKey, Waiting> entry : waiting.entrySet()) {
            Waiting w = entry.getValue();
            if (!w.alerted() && !time.isBefore(w.since()) && Duration.between(w.since(), time).compareTo(threshold.get()) > 0) {
                entry.setValue(new Waiting(w.since(), w.sinceSeen(), true));
                alerts.accept(new CloseWaitAlert(time, entry.getKey(), w.since(), w.sinceSeen(), threshold.get(),
                        owners.apply(entry.getKey())));
            }
        }
    }

    /** How long the oldest socket now in CLOSE_WAIT has been in it, as of {@code now}; empty when none is. */
    synchronized Optional<Duration> oldest(Instant now) {
        return waiting.values().stream().map(Waiting::since).min(Instant::compareTo)
                .map(since -> now.isBefore(since) ? Duration.ZERO : Duration.between(since, now));
    }
}
