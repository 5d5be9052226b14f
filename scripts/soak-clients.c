/*
 * Many clients at once for scripts/soak.sh: N connections opened one after another and all held open
 * together, then each echoes BYTES random bytes through the server, a chunk at a time, and checks every byte
 * that comes back; then all close.
 *
 *   soak-clients IP PORT N BYTES HOLD_MS
 *
 * HOLD_MS is how long all N stay connected before echoing, so the script can count the server's descriptors
 * and threads meanwhile. Prints "connected N" once all are connected, then one summary line:
 * "clients N echoed B bytes each: M clients failed, X bytes differed". Exit status 0 when all echoed.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 4096

static long bytes_each;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long failed_clients;
static long differing_bytes;

struct client {
    int fd;
    uint64_t seed;
};

/* xorshift64*: a different random stream per client, the same on both ends of its echo */
static uint64_t next(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static void *echo(void *arg) {
    struct client *c = arg;
    unsigned char out[CHUNK], in[CHUNK];
    uint64_t s = c->seed;
    long differ = 0;
    int ok = 1;
    for (long sent = 0; sent < bytes_each && ok;) {
        size_t n = bytes_each - sent < CHUNK ? (size_t) (bytes_each - sent) : CHUNK;
        for (size_t i = 0; i < n; i++) {
            out[i] = (unsigned char) next(&s);
        }
        for (size_t w = 0; w < n;) {
            ssize_t r = write(c->fd, out + w, n - w);
            if (r <= 0) {
                ok = 0;
                break;
            }
            w += r;
        }
        size_t got = 0;
        while (ok && got < n) {
            ssize_t r = read(c->fd, in + got, n - got);
            if (r <= 0) {
                ok = 0;
                break;
            }
            got += r;
        }
        for (size_t i = 0; i < got; i++) {
            differ += in[i] != out[i];
        }
        sent += n;
    }
    close(c->fd);
    pthread_mutex_lock(&lock);
    failed_clients += !ok || differ > 0;
    differing_bytes += differ;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "Usage: %s IP PORT N BYTES HOLD_MS\n", argv[0]);
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
    bytes_each = atol(argv[4]);
    long hold_ms = atol(argv[5]);
    if (n < 1 || bytes_each < 1 || hold_ms < 0) {
        fprintf(stderr, "%s: N and BYTES must be positive, HOLD_MS not negative\n", argv[0]);
        return 2;
    }
    struct client *clients = calloc(n, sizeof(*clients));
    pthread_t *threads = calloc(n, sizeof(*threads));
    for (long i = 0; i < n; i++) {
        clients[i].seed = 0x9E3779B97F4A7C15ULL * (uint64_t) (i + 1);
        clients[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        if (clients[i].fd < 0 || connect(clients[i].fd, (struct sockaddr *) &server, sizeof(server)) < 0) {
            perror("connect socket failed");
            return 69;
        }
    }
    printf("connected %ld\n", n);
    fflush(stdout);
    struct timespec hold = {hold_ms / 1000, (hold_ms % 1000) * 1000000L};
    nanosleep(&hold, NULL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (long i = 0; i < n; i++) {
        if (pthread_create(&threads[i], &attr, echo, &clients[i]) != 0) {
            fprintf(stderr, "%s: cannot start thread %ld\n", argv[0], i);
            return 1;
        }
    }
    for (long i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
    }
    printf("clients %ld echoed %ld bytes each: %ld clients failed, %ld bytes differed\n", n, bytes_each,
           failed_clients, differing_bytes);
    return failed_clients == 0 ? 0 : 74;
}
