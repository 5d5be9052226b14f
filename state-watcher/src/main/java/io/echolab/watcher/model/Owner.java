package io.echolab.watcher.model;

import java.util.Objects;

/**
 * The process that holds a socket: found through its {@code /proc/PID/fd} link to {@code socket:[INODE]}, as
 * {@code ss -p} and {@code netstat -p} find it.
 *
 * @param pid     the process id, as this watcher's /proc numbers it (a container's process by its host pid
 *                when the watcher runs on the host)
 * @param command the program's name: {@code /proc/PID/comm}, or for a JVM the jar or main class it runs
 *                ({@code java -jar echo-server.jar} is {@code echo-server})
 * @param fd      the file descriptor the process holds the socket as
 */
public record Owner(long pid, String command, int fd) {

    public Owner {
        if (pid < 1 || fd < 0) {
            throw new IllegalArgumentException("an owner has a pid of 1 or more and an fd of 0 or more: " + pid + ", " + fd);
        }
        Objects.requireNonNull(command, "command");
    }

    /** As netstat -p's column prints it: {@code 4242/echo-server}. */
    public String pidSlashCommand() {
        return pid + "/" + command;
    }
}
