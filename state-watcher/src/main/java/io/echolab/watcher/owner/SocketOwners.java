package io.echolab.watcher.owner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.echolab.watcher.model.Owner;

/**
 * Finds which process holds a socket, by its inode: the links in {@code /proc/PID/fd} read
 * {@code socket:[INODE]}. Reading every process's descriptors takes milliseconds (tens with a hundred
 * processes), on the watcher's thread, so it is done sparingly: only for inodes not looked up before; the
 * processes that held the last sockets found are read first (a server's accepted sockets, a load client's
 * connections); then the others, newest first, so a program that has just connected is found at once; and
 * all of them at most once per {@link #FULL_WALK_GAP}, so a burst of connections from unreadable or unknown
 * holders costs a bounded share of a core. A socket two processes share (a parent and a child after fork) is
 * the newer one's. A process that cannot be read (another user's, or gone during the walk) is passed over:
 * its sockets stay unknown.
 */
public final class SocketOwners {

    /** The least time between two walks through every process. */
    public static final Duration FULL_WALK_GAP = Duration.ofMillis(500);

    /** How many processes that held watched sockets are read first. */
    private static final int RECENT = 8;

    /**
     * What a lookup found.
     *
     * @param owners   the owners of the inodes some readable process holds
     * @param complete true when every process was read: an inode not found has no readable holder now;
     *                 false when the walk was put off (ask again later)
     */
    public record Lookup(Map<Long, Owner> owners, boolean complete) {
    }

    private final Path proc;
    private final Duration fullWalkGap;
    /** The processes that held the last sockets found, the latest last. */
    private final Set<Long> recent = new LinkedHashSet<>();
    private long lastFullWalk;
    private boolean walked;

    /** @param proc the /proc to read: the one this watcher's pids are numbered in */
    public SocketOwners(Path proc) {
        this(proc, FULL_WALK_GAP);
    }

    SocketOwners(Path proc, Duration fullWalkGap) {
        this.proc = proc;
        this.fullWalkGap = fullWalkGap;
    }

    /** Looks for the processes that hold these inodes. */
    public Lookup find(Set<Long> inodes) {
        Map<Long, Owner> found = new HashMap<>();
        List<Long> latestFirst = new ArrayList<>(recent);
        Collections.reverse(latestFirst);
        for (long pid : latestFirst) {
            if (!scan(pid, inodes, found)) {
                recent.remove(pid);
            }
            if (found.size() == inodes.size()) {
                return new Lookup(found, true);
            }
        }
        long now = System.nanoTime();
        if (walked && now - lastFullWalk < fullWalkGap.toNanos()) {
            return new Lookup(found, false);
        }
        walked = true;
        lastFullWalk = now;
        for (long pid : pidsNewestFirst()) {
            if (!latestFirst.contains(pid)) {
                scan(pid, inodes, found);
                if (found.size() == inodes.size()) {
                    break;
                }
            }
        }
        return new Lookup(found, true);
    }

    /**
     * Reads one process's descriptors, adding the owners of wanted inodes; false when it cannot be read
     * (gone, or another user's).
     */
    private boolean scan(long pid, Set<Long> wanted, Map<Long, Owner> found) {
        Path fds = proc.resolve(Long.toString(pid)).resolve("fd");
        boolean holds = false;
        try (DirectoryStream<Path> links = Files.newDirectoryStream(fds)) {
            String command = null;
            for (Path link : links) {
                Optional<Long> inode = socketInode(link);
                if (inode.isEmpty() || !wanted.contains(inode.get()) || found.containsKey(inode.get())) {
                    continue;
                }
                int fd;
                try {
                    fd = Integer.parseInt(link.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (command == null) {
                    command = command(pid);
                }
                found.put(inode.get(), new Owner(pid, command, fd));
                holds = true;
            }
        } catch (IOException | SecurityException e) {
            return false;
        }
        if (holds) {
            remember(pid);
        }
        return true;
    }

    private void remember(long pid) {
        recent.remove(pid);
        recent.add(pid);
        if (recent.size() > RECENT) {
            recent.remove(recent.iterator().next());
        }
    }

    /** The inode of a {@code socket:[INODE]} link; empty for files, pipes, and links gone since listed. */
    private static Optional<Long> socketInode(Path link) {
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
        if (!target.startsWith("socket:[") || !target.endsWith("]")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(target, "socket:[".length(), target.length() - 1, 10));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private String command(long pid) {
        Path dir = proc.resolve(Long.toString(pid));
        String comm;
        try {
            comm = Files.readString(dir.resolve("comm"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "?";
        }
        List<String> cmdline = new ArrayList<>();
        try {
            String raw = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8);
            cmdline.addAll(Arrays.asList(raw.split("\0")));
        } catch (IOException e) {
            // Gone, or hidden: the kernel's name will do
        }
        return ProgramName.of(comm, cmdline);
    }

    /** The processes now, the highest pid (most often the newest) first. */
    private Set<Long> pidsNewestFirst() {
        Set<Long> pids = new TreeSet<>(Comparator.reverseOrder());
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                    pids.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            // No /proc to read: every owner unknown
        }
        return pids;
    }
}
