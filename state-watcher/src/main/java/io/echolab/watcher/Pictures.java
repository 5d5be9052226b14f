package io.echolab.watcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.echolab.watcher.capture.CaptureException;
import io.echolab.watcher.capture.PacketCapture;
import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.TcpPacket;
import io.echolab.watcher.report.LadderSvg;
import io.echolab.watcher.report.TimelineSvg;

/**
 * The pictures asked for: --svg (the timeline drawn) and --ladder (packets and both ends' states). Their files
 * are checked before watching starts; the ladder's packet capture runs while the watcher does and is closed
 * on every way out ({@link #close}, also from the second Ctrl-C's thread); both are drawn from the Timeline at
 * exit, whatever the backend and the output format.
 */
final class Pictures implements AutoCloseable {

    private final Optional<PictureFile> svg;
    private final Optional<PictureFile> ladder;
    private final Set<Integer> ports;
    private final AtomicReference<PacketCapture> capture = new AtomicReference<>();
    private String notCaptured = "the capture was not started";

    private Pictures(Optional<PictureFile> svg, Optional<PictureFile> ladder, Set<Integer> ports) {
        this.svg = svg;
        this.ladder = ladder;
        this.ports = Set.copyOf(ports);
    }

    /** Checks the files; nothing is opened yet. */
    static Pictures check(Path svg, Path ladder, Set<Integer> ports) throws PictureFile.Unwritable {
        return new Pictures(svg == null ? Optional.empty() : Optional.of(PictureFile.check("--svg", svg)),
                ladder == null ? Optional.empty() : Optional.of(PictureFile.check("--ladder", ladder)), ports);
    }

    /** True when a picture is to be drawn: the Timeline must then be listening. */
    boolean any() {
        return svg.isPresent() || ladder.isPresent();
    }

    /**
     * Starts the ladder's packet capture, in the watched namespace. When it cannot be had (not root, saved
     * tables) the ladder is drawn from the states alone and says why; that is no error.
     *
     * @param savedTables true with --proc-root: no live namespace to capture in
     * @param note        where --verbose's lines go
     * @param warn        where the line saying the ladder will have no packets goes
     */
    void startCapture(OptionalInt pid, boolean savedTables, Consumer<String> note, Consumer<String> warn) {
        if (ladder.isEmpty()) {
            return;
        }
        if (savedTables) {
            notCaptured = "--proc-root reads saved tables, not a live network namespace";
            return;
        }
        try {
            capture.set(pid.isPresent() ? PacketCapture.openInNamespaceOf(pid.getAsInt(), ports) : PacketCapture.open(ports));
            note.accept("state-watcher: capturing packets of " + subject(ports) + " for --ladder (AF_PACKET, "
                    + "filtered in the kernel)");
        } catch (CaptureException e) {
            notCaptured = e.permissionDenied() ? "capturing needs root (CAP_NET_RAW): " + e.getMessage() : e.getMessage();
            warn.accept("state-watcher: --ladder draws states only: " + notCaptured);
        } catch (IOException e) {
            notCaptured = e.getMessage();
            warn.accept("state-watcher: --ladder draws states only: " + notCaptured);
        }
    }

    /**
     * Draws and writes the pictures.
     *
     * @param source where the states came from, for the pictures' subheadings
     * @throws PictureFile.Unwritable when a file could not be written after all (the disk filled, say)
     */
    void write(List<Connection> connections, Instant start, Instant end, ZoneId zone, String source)
            throws PictureFile.Unwritable {
        close();
        if (svg.isPresent()) {
            svg.get().write(TimelineSvg.render(connections, start, end, zone, subject(ports), source));
        }
        if (ladder.isPresent()) {
            ladder.get().write(LadderSvg.render(connections, ports, captured(), end, zone, subject(ports), source));
        }
    }

    /** What the capture gave, with the line the ladder prints about it. */
    private LadderSvg.Capture captured() {
        PacketCapture opened = capture.get();
        if (opened == null) {
            return LadderSvg.Capture.none(notCaptured);
        }
        List<TcpPacket> packets = opened.packets();
        Set<String> interfaces = packets.stream().map(TcpPacket::interfaceName).collect(Collectors.toCollection(TreeSet::new));
        String note = "captured " + (interfaces.isEmpty() ? "on the namespace's interfaces (none passed)"
                : "on " + String.join(", ", interfaces)) + " by a packet socket with a kernel port filter, each once"
                + (opened.lost() > 0 ? "; " + opened.lost() + " lost (the kernel's buffer or the watcher's limit)" : "")
                + opened.failure().map(e -> "; reading stopped early: " + e.getMessage()).orElse("") + ".";
        return new LadderSvg.Capture(true, packets, note);
    }

    /** Closes the capture, if one is open. Safe from any thread, more than once. */
    @Override
    public void close() {
        PacketCapture opened = capture.get();
        if (opened != null) {
            opened.close();
        }
    }

    /** {@code port 11233}, {@code ports 11233, 11234}, or {@code every port}. */
    static String subject(Set<Integer> ports) {
        if (ports.isEmpty()) {
            return "every port";
        }
        return (ports.size() == 1 ? "port " : "ports ") + new TreeSet<>(ports).stream().map(String::valueOf)
                .collect(Collectors.joining(", "));
    }
}
