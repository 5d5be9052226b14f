package io.echolab.watcher.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.echolab.watcher.model.Owner;
import org.junit.jupiter.api.Test;

/**
 * The owners found through /proc/PID/fd for real sockets, against iproute2's {@code ss -p}, which finds them
 * its own way (its own /proc walk, its own code): the same pid and fd for every socket ss names.
 */
class SocketOwnersTest {

    private static final Path SS = Path.of("/usr/bin/ss");
    /** {@code users:(("java",pid=4242,fd=7)) ... ino:123456}: ss -tanpe's row end. */
    private static final Pattern SS_ROW = Pattern.compile("users:\\(\\(\"[^\"]*\",pid=(\\d+),fd=(\\d+)\\).*ino:(\\d+)");

    @Test
    void ssNamesTheSamePidAndFdForEachSocket() throws Exception {
        assumeTrue(Files.isExecutable(SS), "no /usr/bin/ss here (Debian's iproute2; .ci/run installs it)");
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                 SocketChannel accepted = listener.accept()) {
                Map<Long, Owner> seen = ss(port);
                assertEquals(3, seen.size(), "ss names the listener, the client and the accepted socket: " + seen);

                Map<Long, Owner> found = new SocketOwners(Path.of("/proc")).find(seen.keySet()).owners();

                assertEquals(seen.keySet(), found.keySet(), "every inode ss names is found");
                seen.forEach((inode, expected) -> {
                    Owner owner = found.get(inode);
                    assertEquals(expected.pid(), owner.pid(), "socket:[" + inode + "]'s pid");
                    assertEquals(expected.fd(), owner.fd(), "socket:[" + inode + "]'s fd");
                });
                assertEquals(ProcessHandle.current().pid(), found.values().iterator().next().pid(), "this JVM holds them");
            }
        }
    }

    @Test
    void anotherProgramIsNamedByItsOwnName() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            // bash connects on fd 3 through /dev/tcp, then becomes sleep, which keeps fd 3 open
            Process sleeper = new ProcessBuilder("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + " && exec sleep 30")
                    .redirectErrorStream(true).start();
            try (SocketChannel accepted = listener.accept()) {
                long inode = inodeOfFd3(sleeper.pid());

                Owner owner = new SocketOwners(Path.of("/proc")).find(Set.of(inode)).owners().get(inode);

                assertEquals(new Owner(sleeper.pid(), "sleep", 3), owner);
            } finally {
                sleeper.destroy();
                assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "sleep ends on SIGTERM");
            }
        }
    }

    @Test
    void aSocketNoProcessHoldsIsNotFound() {
        assertEquals(new SocketOwners.Lookup(Map.of(), true), new SocketOwners(Path.of("/proc")).find(Set.of(1L)),
                "no socket has inode 1, and every process was read to say so");
    }

    @Test
    void everyProcessIsReadAtMostOncePerGapButRecentHoldersAlways() throws Exception {
        SocketOwners owners = new SocketOwners(Path.of("/proc"), Duration.ofHours(1));
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            long listening = inodeOf(listener.getLocalAddress(), "listening");
            assertEquals(ProcessHandle.current().pid(), owners.find(Set.of(listening)).owners().get(listening).pid(),
                    "the first lookup reads every process");

            assertEquals(new SocketOwners.Lookup(Map.of(), false), owners.find(Set.of(1L)),
                    "within the gap, an inode no recent holder has waits for the next walk");
            try (SocketChannel client = SocketChannel.open(listener.getLocalAddress())) {
                long connected = inodeOf(client.getLocalAddress(), "established");
                SocketOwners.Lookup lookup = owners.find(Set.of(connected));
                assertTrue(lookup.complete(), "this JVM held the last socket found: read first, found without a walk");
                assertEquals(ProcessHandle.current().pid(), lookup.owners().get(connected).pid());
            }
        }
    }

    /**
     * The inode of this JVM's socket bound to that address in that state, from ss (its own netlink dump); the
     * state keeps out an earlier test's TIME_WAIT on the same port, which has none.
     */
    private static long inodeOf(SocketAddress bound, String state) throws IOException, InterruptedException {
        int port = ((InetSocketAddress) bound).getPort();
        Process ss = new ProcessBuilder(SS.toString(), "-tanHe", "state", state, "( sport = :" + port + " )")
                .redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ss.waitFor(), out);
        Matcher m = Pattern.compile("ino:(\\d+)").matcher(out);
        assertTrue(m.find(), "ss shows the socket's inode: " + out);
        return Long.parseLong(m.group(1));
    }

    /** The inode behind the process's fd 3, once exec has made it sleep (the link may take a moment to be there). */
    private static long inodeOfFd3(long pid) throws Exception {
        Path fd3 = Path.of("/proc", Long.toString(pid), "fd", "3");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                String target = Files.readSymbolicLink(fd3).toString();
                String comm = Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
                if (target.startsWith("socket:[") && comm.equals("sleep")) {
                    return Long.parseLong(target.substring("socket:[".length(), target.length() - 1));
                }
            } catch (IOException notYet) {
                // bash has not opened it yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("process " + pid + " never held a socket on fd 3 as sleep");
            }
            Thread.sleep(5);
        }
    }

    /** ss -tanpe's sockets on the port: inode to pid and fd (the command is ss's own, not compared). */
    private static Map<Long, Owner> ss(int port) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder(SS.toString(), "-tanpe", "( sport = :" + port + " or dport = :" + port + " )")
                .redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ss.waitFor(), out);
        Map<Long, Owner> owners = new HashMap<>();
        for (String line : out.lines().toList()) {
            Matcher m = SS_ROW.matcher(line);
            if (m.find()) {
                owners.put(Long.parseLong(m.group(3)), new Owner(Long.parseLong(m.group(1)), "ss", Integer.parseInt(m.group(2))));
            }
        }
        return owners;
    }
}
