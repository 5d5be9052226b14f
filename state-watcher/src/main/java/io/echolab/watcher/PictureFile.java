package io.echolab.watcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file a picture goes to (--svg, --ladder). Checked before watching starts, so a typo costs seconds, not a
 * minute of TIME_WAIT; written at exit through a temporary file in the same directory, moved over the target in
 * one rename, so a reader never sees half a picture and an interrupted write leaves the old one.
 */
final class PictureFile {

    /** A file that cannot be written, as one line for the user. */
    static final class Unwritable extends Exception {
        Unwritable(String message) {
            super(message, null, false, false);
        }
    }

    private final String option;
    private final Path path;
    private final Path directory;

    private PictureFile(String option, Path path, Path directory) {
        this.option = option;
        this.path = path;
        this.directory = directory;
    }

    /**
     * Checks that {@code path} can be written: it is not a directory, its directory exists, and a file can be
     * made there (tried, then removed).
     *
     * @param option the option that named it, for the message
     */
    static PictureFile check(String option, Path path) throws Unwritable {
        String named = option + " " + path;
        if (Files.isDirectory(path)) {
            throw new Unwritable(named + ": is a directory; name a file, e.g. " + path.resolve("picture.svg"));
        }
        Path parent = path.toAbsolutePath().getParent();
        Path directory = parent == null ? Path.of("/") : parent;
        if (!Files.isDirectory(directory)) {
            throw new Unwritable(named + ": no such directory " + directory);
        }
        try {
            Files.delete(Files.createTempFile(directory, "." + path.getFileName() + ".", ".check"));
        } catch (IOException e) {
            throw new Unwritable(named + ": cannot write in " + directory + " (" + reason(e) + ")");
        }
        return new PictureFile(option, path, directory);
    }

    /** Writes {@code content} to a temporary file beside the target, then renames it over the target. */
    void write(String content) throws Unwritable {
        Path temporary = directory.resolve("." + path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(temporary, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the message below says what failed; a stray temporary file is the lesser matter
            }
            throw new Unwritable(option + " " + path + ": cannot write it (" + reason(e) + ")");
        }
    }

    Path path() {
        return path;
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
