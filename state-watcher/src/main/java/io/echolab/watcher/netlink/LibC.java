package io.echolab.watcher.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/**
 * The C library calls the watcher needs and Java does not have: netlink sockets (AF_NETLINK), entering
 * another network namespace (setns), and poll(2) on standard output. Each call that fails throws
 * {@link LastErrorException} with errno; {@link Errno#failure} turns it into an IOException naming the call.
 */
interface LibC extends Library {

    LibC INSTANCE = Native.load("c", LibC.class);

    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_RCVTIMEO = 20;
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;
    short POLLERR = 0x008;
    short POLLHUP = 0x010;

    /** socket(2): a new socket's descriptor. */
    int socket(int domain, int type, int protocol) throws LastErrorException;

    /** bind(2): 0. */
    int bind(int sockfd, Structure addr, int addrlen) throws LastErrorException;

    /** setsockopt(2): 0. */
    int setsockopt(int sockfd, int level, int optname, Structure optval, int optlen) throws LastErrorException;

    /** send(2): the number of bytes sent. */
    NativeLong send(int sockfd, Pointer buf, NativeLong len, int flags) throws LastErrorException;

    /** recv(2): the number of bytes received; 0 when the peer closed. */
    NativeLong recv(int sockfd, Pointer buf, NativeLong len, int flags) throws LastErrorException;

    /** open(2): a new descriptor. */
    int open(String pathname, int flags) throws LastErrorException;

    /** setns(2): moves the calling thread into the namespace {@code fd} refers to; 0. */
    int setns(int fd, int nstype) throws LastErrorException;

    /** poll(2): how many descriptors have events; 0 on timeout. */
    int poll(Pollfd[] fds, int nfds, int timeout) throws LastErrorException;

    /** close(2): 0. */
    int close(int fd) throws LastErrorException;

    /** strerror(3): the message for an errno, as the C programs print it. */
    String strerror(int errnum);

    /** {@code struct timeval} (sys/time.h), for SO_RCVTIMEO. */
    @FieldOrder({"tv_sec", "tv_usec"})
    final class Timeval extends Structure {
        public NativeLong tv_sec;   // seconds
        public NativeLong tv_usec;  // microseconds

        public Timeval(long seconds) {
            tv_sec = new NativeLong(seconds);
            tv_usec = new NativeLong(0);
        }
    }

    /** {@code struct pollfd} (poll.h). */
    @FieldOrder({"fd", "events", "revents"})
    final class Pollfd extends Structure {
        public int fd;          // file descriptor
        public short events;    // requested events
        public short revents;   // returned events
    }
}
