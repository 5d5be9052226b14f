package io.echolab.watcher.owner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * {@code socket:[INODE]}. A walk reads every process's descriptors, so it is done only for inodes not looked up
 * before, and the processes that held the last sockets found are read first: a program that opens one
 * connection after another is found without reading the rest. A process that cannot be read (another user's,
 * or gone during the walk) is passed over: its sockets stay unknown.
 */
public final class SocketOwners {

    /** How many processes that held watched sockets are read first. */
    private static final int RECENT = 8;

    private final Path proc;
    private final Set<Long> recent = new LinkedHashSet<>();
    private long walks;

    /** @param proc the /proc to read: the one this watcher's pids are numbered in */
    public SocketOwners(Path proc) {
        this.proc = proc;
    }

    /** The owners of those inodes that some readable process holds. */
    public Map<Long, Owner> find(Set<Long> inodes) {
        Map<Long, Owner> found = new HashMap<>();
        for (long pid : List.copyOf(recent)) {
            if (!scan(pid, inodes, found)) {
                recent.remove(pid);
            }
            if (found.size() == inodes.size()) {
                return found;
            }
        }
        walks++;
        for (long pid : pids()) {
            if (!recent.contains(pid)) {
                scan(pid, inodes, found);
                if (found.size() == inodes.size()) {
                    break;
                }
            }
        }
        return found;
    }

    /** How many times every process was read: for tests and --verbose. */
    public long walks() {
        return walks;
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

    /** The processes now, lowest pid first: a socket two processes share is the parent's. */
    private Set<Long> pids() {
        Set<Long> pids = new TreeSet<>();
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
