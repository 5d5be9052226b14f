/*
 * What echo-client --connections N does, in C, for scripts/bench-load.sh to time beside it: N connections
 * one after another, each connect(), write one line, read it back whole and check it, close() first.
 *
 *   load-client IP PORT N [FROM-TO]
 *
 * FROM-TO binds connection i to port FROM + i mod the range's size, as --source-ports does; without it the
 * kernel picks an ephemeral port, as echo-client does without --source-ports. Prints one line:
 * "made M failed F in S s". Exit status 0 when every connection was made, 69 when some failed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "Usage: %s IP PORT N [FROM-TO]\n", argv[0]);
        return 2;
    }
    struct sockaddr_in server;
    memset(&server, 0, sizeof(server));
    server.sin_family = AF_INET;
    server.sin_port = htons(atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
        fprintf(stderr, "%s: '%s' is not an IPv4 address\n", argv[0], argv[1]);
        return 2;
    }
    long n = atol(argv[3]);
    int from = 0, to = 0;
    if (argc == 5 && (sscanf(argv[4], "%d-%d", &from, &to) != 2 || from < 1 || to < from || to > 65535)) {
        fprintf(stderr, "%s: '%s' is not a port range FROM-TO\n", argv[0], argv[4]);
        return 2;
    }
    const char line[] = "ping\n"; /* echo-client's default line */
    const size_t len = sizeof(line) - 1;
    char echo[sizeof(line)];
    long made = 0, failed = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            failed++;
            continue;
        }
        if (from > 0) {
            struct sockaddr_in local;
            memset(&local, 0, sizeof(local));
            local.sin_family = AF_INET;
            local.sin_port = htons(from + i % (to - from + 1));
            if (bind(fd, (struct sockaddr *) &local, sizeof(local)) < 0) {
                failed++;
                close(fd);
                continue;
            }
        }
        if (connect(fd, (struct sockaddr *) &server, sizeof(server)) < 0 || write(fd, line, len) != (ssize_t) len) {
            failed++;
            close(fd);
            continue;
        }
        size_t got = 0;
        while (got < len) {
            ssize_t r = read(fd, echo + got, len - got);
            if (r <= 0) {
                break;
            }
            got += r;
        }
        if (got == len && memcmp(echo, line, len) == 0) {
            made++;
        } else {
            failed++;
        }
        close(fd);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("made %ld failed %ld in %.3f s\n", made, failed, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    return failed == 0 ? 0 : 69;
}
