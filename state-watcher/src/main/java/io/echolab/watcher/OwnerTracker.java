package io.echolab.watcher;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.StateChange;
import io.echolab.watcher.model.TcpSocket;
import io.echolab.watcher.owner.SocketOwners;

/**
 * Who holds each watched connection, kept for its whole life: the owner is looked up while the socket has an
 * inode, and stays on the connection after close(), so its orphaned FIN_WAIT2 and TIME_WAIT rows (inode 0)
 * still say who closed it. An inode is looked up until it is found, or a walk through every process has
 * not found it (see {@link SocketOwners}); an accepted socket gets its inode at accept(), and is looked up
 * then.
 *
 * <p>Attach it before the listeners that ask it: it learns from each change and sample before they hear it.
 * It forgets a connection at the change after the one that ended it. Safe to ask from any thread.
 */
public final class OwnerTracker implements WatchListener {

    /** What is known of one connection: its owner (null: unknown) and the inode last looked up. */
    private record Known(Owner owner, long inode) {
    }

    private final SocketOwners owners;
    private final Map<ConnectionKey, Known> known = new HashMap<>();
    /** The connections that ended at the last change, as they were known then. */
    private final Map<ConnectionKey, Known> ended = new HashMap<>();

    public OwnerTracker(SocketOwners owners) {
        this.owners = owners;
    }

    /** The process that holds or last held the connection's socket, if it could be found. */
    public synchronized Optional<Owner> owner(ConnectionKey key) {
        Known k = known.get(key);
        return k == null ? Optional.empty() : Optional.ofNullable(k.owner());
    }

    @Override
    public synchronized void onChanges(Instant time, List<StateChange> changes, List<TcpSocket> view) {
        ended.forEach(known::remove); // removes each only if no new connection has taken its key since
        ended.clear();
        List<TcpSocket> rows = new ArrayList<>(changes.size());
        for (StateChange change : changes) {
            if (change.gone()) {
                Known k = known.get(change.key());
                if (k != null) {
                    ended.put(change.key(), k);
                }
            } else {
                if (change.isNew()) {
                    known.remove(change.key()); // its ports were another connection's before
                }
                rows.add(change.row());
            }
        }
        learn(rows);
    }

    @Override
    public synchronized void onSample(Instant time, List<TcpSocket> view) {
        learn(view);
    }

    /** Looks up, in one go, the inodes of these rows that are new to their connection. */
    private void learn(List<TcpSocket> rows) {
        Map<ConnectionKey, Long> wanted = new HashMap<>();
        for (TcpSocket row : rows) {
            if (row.inode() == 0) {
                continue; // a time-wait socket, or one not yet accepted: nothing to look up
            }
            ConnectionKey key = ConnectionKey.of(row);
            Known k = known.get(key);
            if (k == null || k.owner() == null && k.inode() != row.inode()) {
                wanted.put(key, row.inode());
            }
        }
        if (wanted.isEmpty()) {
            return;
        }
        SocketOwners.Lookup lookup = owners.find(new HashSet<>(wanted.values()));
        wanted.forEach((key, inode) -> {
            Owner owner = lookup.owners().get(inode);
            if (owner != null || lookup.complete()) {
                known.put(key, new Known(owner, inode));
            } // else: the walk was put off; asked again at the next change or poll
        });
    }

}
