package io.echolab.watcher;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.model.TcpState;

/**
 * The netlink backend's poll: one dump, with the row the kernel can give of a socket it closed while the
 * dump described it put right.
 *
 * <p>The kernel's dump picks up to 16 sockets of a hash bucket under the bucket's lock and describes them
 * after letting go (the {@code sk_arr} batches of {@code tcp_diag_dump}, {@code inet_diag_dump_icsk} before
 * 6.17). A socket that closes in between, as one does when its time-wait entry takes its place
 * ({@code tcp_time_wait()}: the entry is hashed, then {@code tcp_done()}), is described as CLOSE, and its
 * local port as 0 once {@code inet_put_port()} has released it; the time-wait entry, hashed into the bucket
 * the walk has passed, is not in this dump. Taken as it comes, the connection would end in this poll and
 * a new one, with the same addresses, would start in the next (S16SimultaneousCloseIT saw it so in CI).
 *
 * <p>So a CLOSE row, which a dump of the hashes has no other way to give, stands for the socket of its
 * cookie: when the last poll had that cookie, the kernel is asked for that connection with it (a time-wait
 * entry keeps its socket's cookie), and what it answers takes the row's place; otherwise, or when the
 * kernel has nothing, the row is left out: the socket is gone.
 */
final class NetlinkPoll implements Backend.SocketSource {

    /** An exact lookup: the socket with this key and cookie, if the kernel has it. */
    @FunctionalInterface
    interface Lookup {
        Optional<TcpSocket> find(ConnectionKey key, long cookie) throws IOException;
    }

    private final Backend.SocketSource dump;
    private final Lookup lookup;
    /** The last poll's connections by cookie. */
    private Map<Long, ConnectionKey> lastByCookie = Map.of();

    NetlinkPoll(Backend.SocketSource dump, Lookup lookup) {
        this.dump = dump;
        this.lookup = lookup;
    }

    @Override
    public List<TcpSocket> rows() throws IOException {
        List<TcpSocket> dumped = dump.rows();
        Set<ConnectionKey> keys = new HashSet<>();
        for (TcpSocket row : dumped) {
            if (row.state() != TcpState.CLOSE) {
                keys.add(ConnectionKey.of(row));
            }
        }
        List<TcpSocket> rows = new ArrayList<>(dumped.size());
        Map<Long, ConnectionKey> byCookie = new HashMap<>();
        for (TcpSocket row : dumped) {
            TcpSocket told = row;
            if (row.state() == TcpState.CLOSE) {
                ConnectionKey was = lastByCookie.get(row.cookie());
                if (was == null || keys.contains(was)) {
                    continue;
                }
                Optional<TcpSocket> now = lookup.find(was, row.cookie()).filter(r -> r.state() != TcpState.CLOSE);
                if (now.isEmpty()) {
                    continue;
                }
                told = now.get();
                keys.add(was);
            }
            rows.add(told);
            byCookie.put(told.cookie(), ConnectionKey.of(told));
        }
        lastByCookie = byCookie;
        return rows;
    }
}
