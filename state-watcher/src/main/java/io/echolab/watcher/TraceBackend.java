package io.echolab.watcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import io.echolab.watcher.ConnectionTable.Entry;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.netlink.SockDiag;
import io.echolab.watcher.trace.TraceSession;
import io.echolab.watcher.trace.Transition;

/**
 * The trace backend: every state change of a full socket from the sock:inet_sock_set_state tracepoint, at
 * the kernel's timestamp, merged with what only NETLINK_SOCK_DIAG can tell into one timeline.
 *
 * <ul>
 * <li>The first poll dumps the table: the connections already there.
 * <li>Each transition moves its connection; the tracepoint's gaps are filled: {@code CLOSE -> SYN_SENT}
 *     comes before the source port is chosen (the next event of the same connect gives it), and on some
 *     kernels {@code LISTEN -> SYN_RECV} before the peer's port is copied.
 * <li>A socket's last event, {@code -> CLOSE}, is also what a hand-over to a time-wait socket looks like
 *     (entering TIME_WAIT, or an orphaned FIN_WAIT2, is not traced): an exact lookup tells which.
 * <li>Time-wait sockets then change and expire unseen by the tracepoint: each poll looks them up. An orphaned
 *     FIN_WAIT2 turns TIME_WAIT when the peer's FIN arrives; when the peer is watched too, the traced moment
 *     it sent that FIN (entering LAST_ACK or FIN_WAIT1) since the last look is when it happened.
 * <li>Each poll also looks up the traced sockets for their queues, timers and counters. A lookup that
 *     disagrees with the tracepoint for {@link #RECONCILE_AFTER} wins; events stamped before a dump or lookup
 *     told a connection's state, read after it, are dropped: they cannot undo what the table shows.
 * <li>The tracepoint has no network namespace: an event done by a process (connect, close) counts for the
 *     namespace that process is in; one done while handling a packet counts when a lookup finds the socket
 *     here (or its peer is here). Connections of other namespaces are left out.
 * </ul>
 */
final class TraceBackend extends Backend {

    /** Up to this many connections, each poll looks each one up; past it, one filtered dump is cheaper. */
    static final int LOOKUP_LIMIT = 64;
    /** How long a lookup may disagree with the tracepoint before the lookup wins (lost events). */
    static final Duration RECONCILE_AFTER = Duration.ofMillis(200);
    /** A connect still unresolved after this gave up long ago (tcp_syn_retries 6: 127 s). */
    static final Duration PENDING_LIMIT = Duration.ofMinutes(3);

    private final TraceSession session;
    private final SockDiag netlink;
    private final Set<Integer> ports;
    private final String namespace;
    private final Function<Integer, Optional<String>> namespaceOfTask;
    private volatile Runnable wake = () -> { };
    private long baseNanos;
    private Instant baseInstant;
    private boolean initialized;

    /** CLOSE -> SYN_SENT events waiting for their port, by their key with local port 0. */
    private final Map<ConnectionKey, Deque<Transition>> connecting = new HashMap<>();
    /** LISTEN -> SYN_RECV events waiting for the peer's port, by their key with remote port 0. */
    private final Map<ConnectionKey, Deque<Transition>> accepting = new HashMap<>();
    /** Events of sockets not yet known to be this namespace's. */
    private final Map<ConnectionKey, List<Transition>> unattributed = new LinkedHashMap<>();
    /** Sockets of other namespaces: their events are skipped until they close. */
    private final Set<ConnectionKey> foreign = new HashSet<>();
    /** When each connection last sent a FIN (entered FIN_WAIT1 or LAST_ACK), for its peer's TIME_WAIT. */
    private final Map<ConnectionKey, Instant> finSent = new HashMap<>();
    /** When each connection left LAST_ACK or CLOSING: its last FIN was acknowledged. */
    private final Map<ConnectionKey, Instant> finAcked = new HashMap<>();
    /** When each time-wait socket was last looked up. */
    private final Map<ConnectionKey, Instant> lastChecked = new HashMap<>();
    /** Since when a lookup has disagreed with the traced state. */
    private final Map<ConnectionKey, Instant> disagreeing = new HashMap<>();
    /**
     * When a dump or lookup last told a connection's state instead of the tracepoint (CLOCK_MONOTONIC, taken
     * after the kernel answered): the first poll's dump, or a poll overruling events late or lost. An event
     * stamped before then, read after, is older than what the table shows and is dropped rather than undoing
     * it: a connect that raced the first dump, or a close whose events a busy reader let a poll see first.
     */
    private final Map<ConnectionKey, Long> toldByPoll = new HashMap<>();
    private long leftOut;
    /** Transitions read but not yet applied ({@link #holdEventsFor}); none are held unless a test asks. */
    private final Deque<Transition> delayed = new ArrayDeque<>();
    private Duration heldFor = Duration.ZERO;
    /** Every transition stamped up to this CLOCK_MONOTONIC time and read by the last drain has been applied. */
    private volatile long releasedThrough;

    /**
     * @param namespace       the watched network namespace, as {@code readlink /proc/PID/ns/net} gives it
     * @param namespaceOfTask the same for a task (thread) id, empty when it is gone or cannot be read
     */
    TraceBackend(TraceSession session, SockDiag netlink, Set<Integer> ports, String namespace,
            Function<Integer, Optional<String>> namespaceOfTask) {
        this.session = session;
        this.netlink = netlink;
        this.ports = Set.copyOf(ports);
        this.namespace = namespace;
        this.namespaceOfTask = namespaceOfTask;
    }

    /** The network namespace of a process or thread: {@code net:[4026531840]}; empty when gone. */
    static Optional<String> namespaceOf(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    @Override
    public String name() {
        return "trace";
    }

    @Override
    boolean kernelTimestamps() {
        return true;
    }

    /** Where the events come from, for --verbose. */
    Path instance() {
        return session.instance();
    }

    /** Connections whose events were left out: another namespace's, or gone before they could be placed. */
    long leftOut() {
        return leftOut;
    }

    /** Events the ring buffer dropped. */
    long lostEvents() {
        return session.lostEvents();
    }

    /** Wakes the watcher whenever the session queued transitions. */
    void onEvents() {
        wake.run();
    }

    @Override
    void start(Runnable wake) {
        this.wake = wake;
        baseNanos = System.nanoTime();
        baseInstant = Clock.systemUTC().instant();
    }

    @Override
    void drain(ConnectionTable table) throws IOException {
        if (!initialized) {
            return; // the first poll's dump comes first; the transitions wait in the queue
        }
        delayed.addAll(session.drain());
        long due = System.nanoTime() - heldFor.toNanos(); // the JDK's nanoTime is CLOCK_MONOTONIC on Linux
        while (!delayed.isEmpty() && delayed.peekFirst().monotonicNanos() <= due) {
            fillGaps(delayed.pollFirst(), table);
        }
        releasedThrough = due;
    }

    /**
     * For tests: applies each transition only once it is {@code delay} old, as a busy machine's trace reader
     * may; the polls overrule the tracepoint meanwhile, as they do for an event that is late.
     */
    void holdEventsFor(Duration delay) {
        heldFor = delay;
    }

    /** For tests: the CLOCK_MONOTONIC time up to which the last drain applied what it had read. */
    long releasedThrough() {
        return releasedThrough;
    }

    @Override
    Sample poll(Clock clock, ConnectionTable table) throws IOException {
        if (!initialized) {
            List<TcpSocket> rows = netlink.dump(ports);
            long dumped = System.nanoTime();
            for (TcpSocket row : rows) {
                if (row.state() == TcpState.CLOSE) {
                    continue; // caught closing as the dump described it (see NetlinkPoll); the tracepoint tells the rest
                }
                ConnectionKey key = ConnectionKey.of(row);
                if (table.get(key).isEmpty()) {
                    table.enter(at(dumped), row, true, false);
                    toldByPoll.put(key, dumped);
                }
            }
            initialized = true;
        } else {
            refresh(table);
        }
        return new Sample(clock.instant(), table.view());
    }

    /** Nothing watched yet: only a transition can change that, and it wakes the watcher. */
    @Override
    boolean idle(ConnectionTable table) {
        return initialized && table.size() == 0 && unattributed.isEmpty();
    }

    @Override
    public void close() {
        session.close();
        netlink.close();
    }

    /** The kernel's CLOCK_MONOTONIC timestamp as wall-clock time. */
    private Instant at(long monotonicNanos) {
        return baseInstant.plusNanos(monotonicNanos - baseNanos);
    }

    private void fillGaps(Transition t, ConnectionTable table) throws IOException {
        if (t.from() == TcpState.CLOSE && t.to() == TcpState.SYN_SENT && t.local().getPort() == 0) {
            connecting.computeIfAbsent(t.key(), k -> new ArrayDeque<>()).add(t);
            return;
        }
        if (t.to() == TcpState.SYN_RECV && t.remote().getPort() == 0) {
            accepting.computeIfAbsent(t.key(), k -> new ArrayDeque<>()).add(t);
            return;
        }
        if (t.from() == TcpState.SYN_SENT) {
            Transition start = poll(connecting, t.withLocalPort(0).key());
            if (start != null) {
                place(start.withLocalPort(t.local().getPort()), table);
            }
        } else if (t.from() == TcpState.SYN_RECV) {
            Transition start = poll(accepting, t.withRemotePort(0).key());
            if (start != null) {
                place(start.withRemotePort(t.remote().getPort()), table);
            }
        }
        place(t, table);
    }

    private static Transition poll(Map<ConnectionKey, Deque<Transition>> waiting, ConnectionKey key) {
        Deque<Transition> queue = waiting.get(key);
        if (queue == null) {
            return null;
        }
        Transition first = queue.poll();
        if (queue.isEmpty()) {
            waiting.remove(key);
        }
        return first;
    }

    /** Applies a transition whose socket is this namespace's; otherwise holds or drops it. */
    private void place(Transition t, ConnectionKey key, ConnectionTable table) throws IOException {
        if (foreign.contains(key)) {
            if (t.to() == TcpState.CLOSE) {
                foreign.remove(key);
            }
            return;
        }
        if (table.get(key).isPresent() && !unattributed.containsKey(key) && t.from() != TcpState.CLOSE) {
            apply(t, table);
            return;
        }
        List<Transition> waiting = unattributed.computeIfAbsent(key, k -> new ArrayList<>());
        waiting.add(t);
        Optional<Boolean> ours = attribute(key, waiting, table);
        if (ours.isEmpty()) {
            if (t.to() == TcpState.CLOSE) {
                unattributed.remove(key);
                leftOut++;
            }
            return;
        }
        settle(key, waiting, ours.get(), table);
    }

    private void place(Transition t, ConnectionTable table) throws IOException {
        place(t, t.key(), table);
    }

    /**
     * A socket's place is known: its held events are applied if it is this namespace's, or it is left out
     * (and its later events skipped until it closes) if it is another's.
     */
    private void settle(ConnectionKey key, List<Transition> held, boolean ours, ConnectionTable table) throws IOException {
        unattributed.remove(key);
        if (ours) {
            for (Transition event : held) {
                apply(event, table);
            }
        } else {
            leftOut++;
            if (held.get(held.size() - 1).to() != TcpState.CLOSE) {
                foreign.add(key);
            }
        }
    }

    /**
     * Whether a socket is the watched namespace's: by the namespace of a process that acted on it, else by a
     * lookup here, else by its peer being here; empty while it cannot be told.
     */
    private Optional<Boolean> attribute(ConnectionKey key, List<Transition> events, ConnectionTable table)
            throws IOException {
        for (Transition event : events) {
            if (event.task() != 0) {
                Optional<String> ns = namespaceOfTask.apply(event.task());
                if (ns.isPresent()) {
                    return Optional.of(ns.get().equals(namespace));
                }
            }
        }
        if (key.local().getPort() != 0 && netlink.lookup(key, 0).isPresent()) {
            return Optional.of(true);
        }
        if (table.get(reverse(key)).isPresent()) {
            return Optional.of(true);
        }
        return Optional.empty();
    }

    /** One transition of one of this namespace's sockets. */
    private void apply(Transition t, ConnectionTable table) throws IOException {
        ConnectionKey key = t.key();
        Instant time = at(t.monotonicNanos());
        Optional<Entry> entry = table.get(key);
        Long told = toldByPoll.get(key);
        if (told != null && t.monotonicNanos() <= told) {
            return; // older than the dump or lookup that already showed where the connection went
        }
        if (t.from() == TcpState.CLOSE) {
            // A new socket: connect() or listen(); an older one on the same ports (a time-wait socket reused) ends.
            table.enter(time, TcpSocket.transitionOnly(key, t.to(), 0, 0, 0), false, true);
            return;
        }
        if (entry.map(e -> e.state() == TcpState.LAST_ACK || e.state() == TcpState.CLOSING).orElse(false)) {
            finAcked.put(key, time);
            peerEnteredTimeWait(key, time, table);
        }
        if (t.to() == TcpState.CLOSE) {
            long cookie = entry.map(e -> e.row().cookie()).orElse(0L);
            Optional<TcpSocket> timeWait = netlink.lookup(key, cookie).filter(TcpSocket::timeWaitSocket);
            if (timeWait.isEmpty()) {
                table.end(time, key);
            } else if (entry.isEmpty()) {
                table.enter(time, timeWait.get(), false, true);
            } else {
                // Handed over to a time-wait socket: TIME_WAIT now, or an orphaned FIN_WAIT2 going on
                table.move(time, timeWait.get());
            }
            lastChecked.put(key, time);
            return;
        }
        // The kernel's row, if the socket is still in that state (FIN_WAIT1 with the FIN in Send-Q); else only
        // what the transition says
        long cookie = entry.map(e -> e.row().cookie()).orElse(0L);
        TcpSocket row = netlink.lookup(key, cookie).filter(r -> r.state() == t.to())
                .orElseGet(() -> entry.map(e -> TcpSocket.transitionOnly(key, t.to(), e.row().uid(), e.row().inode(),
                        e.row().cookie())).orElseGet(() -> TcpSocket.transitionOnly(key, t.to(), 0, 0, 0)));
        if (entry.isEmpty()) {
            table.enter(time, row, false, true);
        } else {
            table.move(time, row);
        }
        if (t.to() == TcpState.FIN_WAIT1 || t.to() == TcpState.LAST_ACK) {
            finSent.put(key, time);
        }
        disagreeing.remove(key);
    }

    /** Each poll: look up (or dump) what the tracepoint does not report, and every socket's details. */
    private void refresh(ConnectionTable table) throws IOException {
        retryUnattributed(table);
        Map<ConnectionKey, Entry> entries = new LinkedHashMap<>(table.entries());
        Map<ConnectionKey, TcpSocket> dumped = null;
        long dumpedAt = 0;
        if (entries.size() > LOOKUP_LIMIT) {
            dumped = new HashMap<>();
            for (TcpSocket row : netlink.dump(ports)) {
                dumped.putIfAbsent(ConnectionKey.of(row), row);
            }
            dumpedAt = System.nanoTime();
        }
        for (Map.Entry<ConnectionKey, Entry> e : entries.entrySet()) {
            ConnectionKey key = e.getKey();
            Entry entry = e.getValue();
            Optional<TcpSocket> row = dumped != null ? Optional.ofNullable(dumped.get(key))
                    .filter(r -> entry.row().cookie() == 0 || r.cookie() == entry.row().cookie())
                    : netlink.lookup(key, entry.row().cookie());
            long answered = dumped != null ? dumpedAt : System.nanoTime();
            Instant now = at(answered); // what the lookup shows was so by then
            if (entry.row().timeWaitSocket()) {
                // Seen only by looking: it expires, or an orphaned FIN_WAIT2 turns TIME_WAIT
                if (row.isEmpty()) {
                    table.end(now, key);
                    lastChecked.remove(key);
                } else if (row.get().state() == entry.state()) {
                    table.update(now, row.get());
                    lastChecked.put(key, now);
                } else if (!awaitingPeersFin(key, table, now)) {
                    table.move(timeWaitStart(key, now), row.get());
                    lastChecked.put(key, now);
                    disagreeing.remove(key);
                }
            } else if (row.isPresent() && row.get().state() == entry.state()) {
                table.update(now, row.get());
                disagreeing.remove(key);
            } else {
                // The tracepoint has not said so (yet): its event may be on its way; past a while, it was lost
                Instant since = disagreeing.putIfAbsent(key, now);
                if (since != null && Duration.between(since, now).compareTo(RECONCILE_AFTER) >= 0) {
                    disagreeing.remove(key);
                    toldByPoll.put(key, answered);
                    if (row.isEmpty()) {
                        table.end(since, key);
                    } else {
                        table.move(since, row.get());
                    }
                }
            }
        }
        prune(at(System.nanoTime()));
    }

    /**
     * The FIN that {@code key} sent was acknowledged at {@code time}: its watched peer, if it was an orphaned
     * FIN_WAIT2, sent that ACK as it entered TIME_WAIT, so it is looked up now and moved at this moment, in
     * order with the events around it, rather than at the next poll.
     */
    private void peerEnteredTimeWait(ConnectionKey key, Instant time, ConnectionTable table) throws IOException {
        ConnectionKey peer = reverse(key);
        Optional<Entry> entry = table.get(peer);
        if (entry.isEmpty() || !entry.get().row().timeWaitSocket() || entry.get().state() != TcpState.FIN_WAIT2) {
            return;
        }
        Optional<TcpSocket> row = netlink.lookup(peer, entry.get().row().cookie());
        if (row.isPresent() && row.get().state() == TcpState.TIME_WAIT) {
            table.move(time, row.get());
            lastChecked.put(peer, time);
            disagreeing.remove(peer);
        }
    }

    /**
     * True while a time-wait socket's peer is watched and has not been heard sending the FIN that moved it:
     * the peer's event is on its way through the trace pipe. Waits for it up to {@link #RECONCILE_AFTER}.
     */
    private boolean awaitingPeersFin(ConnectionKey key, ConnectionTable table, Instant now) {
        Optional<Entry> peer = table.get(reverse(key));
        if (peer.isEmpty() || peer.get().state() != TcpState.CLOSE_WAIT && peer.get().state() != TcpState.ESTABLISHED) {
            return false;
        }
        Instant since = disagreeing.putIfAbsent(key, now);
        return since == null || Duration.between(since, now).compareTo(RECONCILE_AFTER) < 0;
    }

    /**
     * When an orphaned FIN_WAIT2 turned TIME_WAIT, if its peer is watched and sent its FIN since the last look:
     * between the peer sending that FIN and receiving the ACK this socket sent as it entered TIME_WAIT. The
     * later of the two is taken (on loopback they are microseconds apart), so the change is not dated before
     * the peer's own changes already told. Else now.
     */
    private Instant timeWaitStart(ConnectionKey key, Instant now) {
        ConnectionKey peer = reverse(key);
        Instant fin = finSent.get(peer);
        Instant checked = lastChecked.get(key);
        if (fin == null || checked != null && !fin.isAfter(checked) || fin.isAfter(now)) {
            return now;
        }
        Instant acked = finAcked.get(peer);
        return acked != null && !acked.isBefore(fin) && !acked.isAfter(now) ? acked : fin;
    }

    private void retryUnattributed(ConnectionTable table) throws IOException {
        for (ConnectionKey key : new ArrayList<>(unattributed.keySet())) {
            List<Transition> held = unattributed.get(key);
            Optional<Boolean> ours = attribute(key, held, table);
            if (ours.isPresent()) {
                settle(key, held, ours.get(), table);
            }
        }
    }

    /** Forgets what is too old to matter: unresolved connects, FINs of connections long gone. */
    private void prune(Instant now) {
        Instant horizon = now.minus(PENDING_LIMIT);
        for (Map<ConnectionKey, Deque<Transition>> waiting : List.of(connecting, accepting)) {
            for (Iterator<Deque<Transition>> it = waiting.values().iterator(); it.hasNext(); ) {
                Deque<Transition> queue = it.next();
                queue.removeIf(t -> at(t.monotonicNanos()).isBefore(horizon));
                if (queue.isEmpty()) {
                    it.remove();
                }
            }
        }
        finSent.values().removeIf(time -> time.isBefore(horizon));
        long nanos = System.nanoTime();
        toldByPoll.values().removeIf(told -> nanos - told > PENDING_LIMIT.toNanos());
        finAcked.values().removeIf(time -> time.isBefore(horizon));
        for (Iterator<List<Transition>> it = unattributed.values().iterator(); it.hasNext(); ) {
            List<Transition> held = it.next();
            if (at(held.get(held.size() - 1).monotonicNanos()).isBefore(horizon)) {
                it.remove();
                leftOut++;
            }
        }
    }

    private static ConnectionKey reverse(ConnectionKey key) {
        return new ConnectionKey(key.proto(), key.remote(), key.local());
    }
}
