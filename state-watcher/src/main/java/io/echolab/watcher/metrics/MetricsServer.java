package io.echolab.watcher.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import io.echolab.watcher.model.TcpState;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * What the watcher sees, as Prometheus metrics on {@code http://ADDRESS:PORT/metrics}, served by the Prometheus
 * Java client's HTTP exporter, so that an existing Prometheus watches a fleet of hosts:
 *
 * <pre>
 * echolab_tcp_connections{state="CLOSE_WAIT"}       gauge: the watched sockets in each state now, every state
 *                                                   netstat names (0 included, so no series comes and goes)
 * echolab_tcp_close_wait_oldest_seconds             gauge: how long the oldest socket now in CLOSE_WAIT has been
 *                                                   in it; 0 when none is
 * echolab_tcp_close_wait_duration_seconds           histogram: how long each CLOSE_WAIT that ended while watched
 *                                                   lasted
 * echolab_tcp_close_wait_alerts_total               counter: sockets --alert-close-wait warned of
 * echolab_watcher_info{backend="netlink",ports="11233"}  1: how the watcher watches
 * </pre>
 *
 * Gauges are read when scraped, on the exporter's threads, from what the watcher's thread last saw. The only
 * class that uses the Prometheus client. Closing it stops the HTTP server.
 */
public final class MetricsServer implements AutoCloseable {

    /** The states a gauge series is kept for: those netstat names (NEW_SYN_RECV never shows as itself). */
    static final TcpState[] STATES = Arrays.stream(TcpState.values()).filter(s -> s != TcpState.NEW_SYN_RECV)
            .toArray(TcpState[]::new);

    private final HTTPServer server;
    private final InetSocketAddress address;
    private final Counter alerts;
    private final Histogram closeWaits;
    private final Info info;

    private MetricsServer(HTTPServer server, InetSocketAddress address, Counter alerts, Histogram closeWaits, Info info) {
        this.server = server;
        this.address = address;
        this.alerts = alerts;
        this.closeWaits = closeWaits;
        this.info = info;
    }

    /**
     * Registers the metrics and starts serving them.
     *
     * @param address where to listen; port 0 lets the kernel choose ({@link #address()} says which)
     * @param counts  the watched sockets now, by state
     * @param oldest  the oldest CLOSE_WAIT's age now, if any socket is in CLOSE_WAIT
     * @throws IOException when the address cannot be had: in use, not this host's, a port below 1024 without root
     */
    public static MetricsServer start(InetSocketAddress address, Supplier<Map<TcpState, Integer>> counts,
            Supplier<Optional<Duration>> oldest) throws IOException {
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(oldest, "oldest");
        PrometheusRegistry registry = new PrometheusRegistry();
        GaugeWithCallback.builder()
                .name("echolab_tcp_connections")
                .help("Watched TCP sockets in each state now, as netstat names it")
                .labelNames("state")
                .callback(callback -> {
                    Map<TcpState, Integer> now = counts.get();
                    for (TcpState state : STATES) {
                        callback.call(now.getOrDefault(state, 0), state.netstatName());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("echolab_tcp_close_wait_oldest_seconds")
                .help("How long the oldest watched socket now in CLOSE_WAIT has been in it; 0 when none is")
                .unit(Unit.SECONDS)
                .callback(callback -> callback.call(oldest.get().map(d -> d.toNanos() / 1e9).orElse(0.0)))
                .register(registry);
        Histogram closeWaits = Histogram.builder()
                .name("echolab_tcp_close_wait_duration_seconds")
                .help("How long each CLOSE_WAIT that ended while watched lasted: from the peer's FIN to close()")
                .unit(Unit.SECONDS)
                .classicOnly()
                .classicUpperBounds(0.01, 0.1, 1, 10, 60, 600, 3600)
                .withoutExemplars()
                .register(registry);
        Counter alerts = Counter.builder()
                .name("echolab_tcp_close_wait_alerts_total")
                .help("Watched sockets that stayed in CLOSE_WAIT longer than --alert-close-wait")
                .withoutExemplars()
                .register(registry);
        Info info = Info.builder()
                .name("echolab_watcher_info")
                .help("How the watcher watches: its backend and the ports it watches (empty: all)")
                .labelNames("backend", "ports")
                .register(registry);
        HTTPServer server = HTTPServer.builder()
                .inetAddress(address.getAddress())
                .port(address.getPort())
                .registry(registry)
                .buildAndStart();
        return new MetricsServer(server, new InetSocketAddress(address.getAddress(), server.getPort()), alerts, closeWaits,
                info);
    }

    /** Where it serves, with the port the kernel chose for port 0. */
    public InetSocketAddress address() {
        return address;
    }

    /** Names the backend and the ports, once the backend is open. */
    public void watching(String backend, String ports) {
        info.setLabelValues(backend, ports);
    }

    /** A socket warned of by --alert-close-wait. */
    public void alerted() {
        alerts.inc();
    }

    /** A CLOSE_WAIT ended after lasting this long. */
    public void closeWaitEnded(Duration lasted) {
        closeWaits.observe(lasted.toNanos() / 1e9);
    }

    /** Stops the HTTP server; the port is free again when this returns. */
    @Override
    public void close() {
        server.close();
    }
}
