package io.echolab.watcher.trace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The sock:inet_sock_set_state tracepoint, read through a private tracefs instance: its own ring buffer,
 * clock and filter, so nothing another tracer does is disturbed. The instance is made by {@link #open} and
 * removed by {@link #close} (also on the second Ctrl-C, from the signal's thread, and by a shutdown hook
 * should the JVM exit another way); one a killed watcher left is removed by the next one. A thread of its
 * own reads {@code trace_pipe} and queues the transitions for {@link #drain}. Root only: tracefs is mode 0700.
 *
 * <p>The instance's clock is {@code mono}, CLOCK_MONOTONIC, which {@link System#nanoTime()} reads too, so
 * the kernel's timestamps convert to wall-clock time without guessing.
 */
public final class TraceSession implements AutoCloseable {

    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final int READ_BUFFER = 64 * 1024;

    private final Tracefs tracefs;
    private final Path instance;
    private final Path enable;
    private final FileChannel pipe;
    private final Runnable onEvents;
    private final ConcurrentLinkedQueue<Transition> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread reader;
    private final Thread shutdownHook;
    private volatile IOException failure;

    private TraceSession(Tracefs tracefs, Path instance, Path enable, FileChannel pipe, Runnable onEvents) {
        this.tracefs = tracefs;
        this.instance = instance;
        this.enable = enable;
        this.pipe = pipe;
        this.onEvents = onEvents;
        this.reader = new Thread(this::read, "trace-pipe");
        this.reader.setDaemon(true);
        this.shutdownHook = new Thread(this::close, "trace-cleanup");
    }

    /**
     * Makes the instance, sets its clock and a filter on the ports, enables the event, and starts reading.
     *
     * @param ports    the sockets with one of these as sport or dport (in any network namespace: the
     *                 tracepoint has no namespace); empty for every TCP socket
     * @param onEvents called on the reading thread each time transitions were queued (or reading failed)
     * @throws TraceUnavailableException when tracefs, the permission or the event is missing
     */
    public static TraceSession open(Set<Integer> ports, Runnable onEvents) throws IOException {
        Tracefs tracefs = Tracefs.find();
        Path instance = null;
        try {
            tracefs.removeStaleInstances();
            instance = tracefs.root().resolve("instances")
                    .resolve(Tracefs.INSTANCE_PREFIX + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet());
            try {
                Files.createDirectory(instance);
            } catch (AccessDeniedException e) {
                instance = null;
                throw new TraceUnavailableException(tracefs.root() + "/instances: Permission denied", true, e);
            } catch (FileAlreadyExistsException e) {
                // Our own pid's leftover (pid reuse after a kill): made by a process that is gone
                Files.delete(instance);
                Files.createDirectory(instance);
            }
            Path event = Tracefs.event(instance, "sock", "inet_sock_set_state").orElseThrow(() ->
                    new TraceUnavailableException("this kernel has no sock:inet_sock_set_state tracepoint (Linux 4.16+)",
                            false));
            String clocks = Files.readString(instance.resolve("trace_clock"), StandardCharsets.US_ASCII);
            if (!clocks.matches("(?s).*\\bmono\\b.*")) {
                throw new TraceUnavailableException("this kernel's tracefs has no mono clock: " + clocks.strip(), false);
            }
            Tracefs.write(instance.resolve("trace_clock"), "mono");
            Tracefs.write(instance.resolve("options").resolve("irq-info"), "1");
            Tracefs.write(event.resolve("filter"), filter(ports));
            Path enable = event.resolve("enable");
            Tracefs.write(enable, "1");
            FileChannel pipe = FileChannel.open(instance.resolve("trace_pipe"), StandardOpenOption.READ);
            TraceSession session = new TraceSession(tracefs, instance, enable, pipe, onEvents);
            Runtime.getRuntime().addShutdownHook(session.shutdownHook);
            session.reader.start();
            return session;
        } catch (IOException | RuntimeException e) {
            if (instance != null) {
                removeInstance(instance, null);
            }
            tracefs.release();
            throw e;
        }
    }

    /** The instance's event filter: TCP only, and the ports when there are any. */
    static String filter(Set<Integer> ports) {
        String tcp = "protocol == 6";
        if (ports.isEmpty()) {
            return tcp;
        }
        return tcp + " && (" + new TreeSet<>(ports).stream().map(p -> "sport == " + p + " || dport == " + p)
                .collect(Collectors.joining(" || ")) + ")";
    }

    /** Where the instance is, for --verbose. */
    public Path instance() {
        return instance;
    }

    /**
     * The transitions read since the last call, in the kernel's order (merged across CPUs by timestamp).
     *
     * @throws IOException when reading the pipe failed
     */
    public List<Transition> drain() throws IOException {
        if (failure != null) {
            throw failure;
        }
        List<Transition> transitions = new ArrayList<>();
        Transition next;
        while ((next = queue.poll()) != null) {
            transitions.add(next);
        }
        return transitions;
    }

    /** Events the ring buffer dropped because they came faster than they were read. */
    public long lostEvents() {
        return lost.get();
    }

    private void read() {
        ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
        StringBuilder partial = new StringBuilder();
        try {
            while (!closed.get()) {
                buffer.clear();
                if (pipe.read(buffer) < 0) {
                    return;
                }
                partial.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
                int end;
                boolean queued = false;
                while ((end = partial.indexOf("\n")) >= 0) {
                    String line = partial.substring(0, end);
                    partial.delete(0, end + 1);
                    Optional<Transition> transition = TraceLine.parse(line);
                    if (transition.isPresent()) {
                        queue.add(transition.get());
                        queued = true;
                    } else {
                        lost.addAndGet(TraceLine.lostEvents(line));
                    }
                }
                if (queued) {
                    onEvents.run();
                }
            }
        } catch (ClosedChannelException e) {
            // closed (AsynchronousCloseException, ClosedByInterruptException): the watcher is ending
        } catch (IOException e) {
            failure = new IOException("reading " + instance.resolve("trace_pipe") + ": " + e.getMessage(), e);
            onEvents.run();
        } catch (IllegalArgumentException e) {
            failure = new IOException("a line of " + instance.resolve("trace_pipe") + " did not parse: " + e.getMessage(), e);
            onEvents.run();
        }
    }

    /**
     * Disables the event, stops reading, removes the instance, and unmounts tracefs if it was mounted for
     * this session. Safe from any thread, more than once.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Tracefs.write(enable, "0");
        } catch (IOException e) {
            // the instance goes anyway
        }
        try {
            pipe.close(); // the JDK signals the reading thread out of its read(2)
        } catch (IOException e) {
            // closing a read-only pipe cannot lose anything
        }
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        removeInstance(instance, reader);
        tracefs.release();
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs, finds the session closed, and returns
            }
        }
    }

    /** rmdir of the instance; EBUSY while the pipe is still being released, so it is tried a few times. */
    private static void removeInstance(Path instance, Thread reader) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                Files.deleteIfExists(instance);
                return;
            } catch (FileSystemException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } catch (IOException e) {
                return;
            }
        }
    }
}
