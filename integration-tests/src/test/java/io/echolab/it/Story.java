package io.echolab.it;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;

/**
 * What the watcher saw on the lab's port: each connection's states with when they began and ended, the
 * kernel's or the watcher's stamps, whichever the backend has. The same whether the watcher ran in this JVM
 * or in a container (its jsonl, read back).
 *
 * <p>Apart from the listener, only connections that began while watching are the scenario's: one already
 * there at the first poll may be an earlier test's, still in TIME_WAIT on a port the kernel gave again.
 *
 * @param port the server's port
 * @param all  every connection seen, in the order first seen
 */
record Story(int port, List<Connection> all) {

    Story {
        all = List.copyOf(all);
    }

    /** The connections that began while watching. */
    List<Connection> connections() {
        return all.stream().filter(c -> c.phases().get(0).startSeen()).toList();
    }

    /** The listening socket, if seen (it is usually there before the watcher starts). */
    Optional<Connection> listener() {
        return all.stream().filter(c -> c.key().local().getPort() == port && c.key().remote().getPort() == 0).findFirst();
    }

    /** The first client socket (remote port = the server's). */
    Optional<Connection> clientSide() {
        return first(this::isClient);
    }

    /** The first accepted socket on the server (local port = the server's, a real remote end). */
    Optional<Connection> serverSide() {
        return first(this::isServerSide);
    }

    boolean isClient(Connection c) {
        return c.key().remote().getPort() == port;
    }

    boolean isServerSide(Connection c) {
        return c.key().local().getPort() == port && c.key().remote().getPort() != 0;
    }

    List<Connection> connections(Predicate<Connection> which) {
        return connections().stream().filter(which).toList();
    }

    Optional<Connection> first(Predicate<Connection> which) {
        return connections().stream().filter(which).findFirst();
    }

    /** Whether any connection was ever seen in this state. */
    boolean anyIn(TcpState state) {
        return connections().stream().anyMatch(c -> c.states().contains(state));
    }

    /** The most connections in this state at once, from their phases' spans. */
    int maxAtOnce(TcpState state) {
        List<Instant[]> edges = new ArrayList<>();
        for (Connection c : connections()) {
            for (Phase p : c.phases()) {
                if (p.state() == state) {
                    edges.add(new Instant[] {p.start(), p.end()});
                }
            }
        }
        int most = 0;
        for (Instant[] edge : edges) {
            Instant t = edge[0];
            int now = (int) edges.stream().filter(e -> !e[0].isAfter(t) && (e[1] == null || e[1].isAfter(t))).count();
            most = Math.max(most, now);
        }
        return most;
    }

    /** The story as text, for failure messages. */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (Connection c : all) {
            text.append(c.key().proto()).append(' ').append(c.key().local()).append(" -> ").append(c.key().remote())
                    .append(c.gone() ? " (gone)" : "").append('\n');
            for (Phase p : c.phases()) {
                text.append("  ").append(p.state()).append(" from ").append(p.start())
                        .append(p.duration().map(d -> " for " + d.toNanos() / 1_000 + " us").orElse(" (lasting)"))
                        .append(", timer ").append(p.timerAtStart()).append(' ')
                        .append(p.timerRemainingAtStart().toMillis()).append(" ms, retransmits ")
                        .append(p.maxRetransmits()).append('\n');
            }
        }
        return text.toString();
    }
}
