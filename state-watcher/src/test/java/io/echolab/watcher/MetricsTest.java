package io.echolab.watcher;

import static io.echolab.watcher.Loopback.connect;
import static io.echolab.watcher.Loopback.listener;
import static io.echolab.watcher.Loopback.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.echolab.common.ExitCode;
import io.echolab.testing.Await;
import org.junit.jupiter.api.Test;

/**
 * --metrics-port scraped over HTTP while the watcher watches sockets this test made, each value checked against
 * what the test set up, the scrape checked by Prometheus' own promtool; and the server gone on every way out.
 */
class MetricsTest {

    private static final Pattern SERVING = Pattern.compile("Prometheus metrics at (http://127\\.0\\.0\\.1:\\d+/metrics)");
    /** {@code name{labels} value}: one sample of the text format. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+(?:\\{[^}]*\\})?) (\\S+)$");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theStatesAgesAndAlertsOfSocketsTheTestMadeAreScrapedAndPassPromtool() throws Exception {
        Path promtool = Tools.require("promtool", "prometheus");
        try (ServerSocketChannel listener = Loopback.listenerAlone()) {
            String port = port(listener);
            // One connection ESTABLISHED at both ends from the start
            SocketChannel client = connect(listener);
            SocketChannel accepted = listener.accept();
            URI metrics;
            try (RunningWatcher watcher = RunningWatcher.start("--port", port, "--metrics-port", "0",
                    "--alert-close-wait", "300ms", "--interval", "1ms", "--duration", "60s")) {
                metrics = metricsUri(watcher);
                awaitScrape(metrics, "the listener and the connection", Map.of(
                        "echolab_tcp_connections{state=\"LISTEN\"}", 1.0,
                        "echolab_tcp_connections{state=\"ESTABLISHED\"}", 2.0,
                        "echolab_tcp_connections{state=\"CLOSE_WAIT\"}", 0.0,
                        "echolab_tcp_close_wait_oldest_seconds", 0.0,
                        "echolab_tcp_close_wait_alerts_total", 0.0));

                // The client closes; the server side reads the EOF and holds its socket: CLOSE_WAIT, FIN_WAIT2
                Instant closed = Instant.now();
                client.close();
                assertEquals(-1, accepted.read(ByteBuffer.allocate(1)));
                awaitScrape(metrics, "CLOSE_WAIT and its alert", Map.of(
                        "echolab_tcp_connections{state=\"LISTEN\"}", 1.0,
                        "echolab_tcp_connections{state=\"ESTABLISHED\"}", 0.0,
                        "echolab_tcp_connections{state=\"FIN_WAIT2\"}", 1.0,
                        "echolab_tcp_connections{state=\"CLOSE_WAIT\"}", 1.0,
                        "echolab_tcp_close_wait_alerts_total", 1.0));
                // A scrape reads each metric in turn: the age in the scrape that saw the alert may have been read
                // just before the alert. Scraped again, after it, the age is past the threshold.
                double oldest = samples(scrape(metrics)).get("echolab_tcp_close_wait_oldest_seconds");
                double sinceClosed = Duration.between(closed, Instant.now()).toNanos() / 1e9;
                assertTrue(oldest >= 0.3 && oldest <= sinceClosed, "the CLOSE_WAIT has lasted past the 300 ms alert, and no "
                        + "longer than since the test's close() " + sinceClosed + " s: " + oldest);
                String text = scrape(metrics);
                Tools.Result lint = Tools.run(promtool, text, "check", "metrics");
                assertEquals(0, lint.exitCode(), "promtool check metrics:\n" + lint.output() + "\non:\n" + text);
                assertEquals("", lint.output().strip(), "promtool finds nothing to say");

                // The server side closes: the CLOSE_WAIT ended, after at least the 300 ms it was alerted for
                accepted.close();
                Map<String, Double> closedOnce = awaitScrape(metrics, "the CLOSE_WAIT's end", Map.of(
                        "echolab_tcp_connections{state=\"CLOSE_WAIT\"}", 0.0,
                        "echolab_tcp_close_wait_duration_seconds_count", 1.0,
                        "echolab_tcp_close_wait_duration_seconds_bucket{le=\"0.1\"}", 0.0,
                        "echolab_tcp_close_wait_oldest_seconds", 0.0));
                double lasted = closedOnce.get("echolab_tcp_close_wait_duration_seconds_sum");
                double held = Duration.between(closed, Instant.now()).toNanos() / 1e9;
                assertTrue(lasted >= 0.3 && lasted <= held, "lasted past the alert, at most as long as the test held it ("
                        + held + " s): " + lasted);
                assertTrue(scrape(metrics).contains("echolab_watcher_info{backend=\""), "the backend is named");
            } finally {
                client.close();
                accepted.close();
            }
            // The watch ended (interrupted, as the in-process stand-in for Ctrl-C): its HTTP server is gone
            assertThrows(ConnectException.class, () -> scrape(metrics), "the metrics server is stopped with the watcher");
        }
    }

    @Test
    void aPortInUseIsOneLineAndExits75() throws Exception {
        try (ServerSocketChannel taken = listener();
                RunningWatcher watcher = RunningWatcher.start("--metrics-port", port(taken), "--duration", "10s")) {
            assertEquals(ExitCode.ADDRESS_IN_USE, watcher.awaitExit(Duration.ofSeconds(30)), watcher.err());
            assertEquals(List.of("state-watcher: --metrics-port " + port(taken) + ": cannot listen on 127.0.0.1:"
                    + port(taken) + ": Address already in use"), watcher.err().lines().toList());
            assertEquals("", watcher.out(), "nothing watched");
        }
    }

    @Test
    void theServerIsStoppedWhenTheWatchFailsAfterItStarted() throws Exception {
        int port;
        try (ServerSocketChannel probe = listener()) {
            port = Integer.parseInt(port(probe));
        }
        try (RunningWatcher watcher = RunningWatcher.start("--metrics-port", Integer.toString(port),
                "--proc-root", Fixtures.procRoot("malformed-hex").toString(), "--duration", "10s")) {
            assertEquals(ExitCode.DATA, watcher.awaitExit(Duration.ofSeconds(30)), watcher.err());
        }
        // The port is free again: the watcher's server was stopped on its way out
        try (ServerSocketChannel again = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            again.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        }
    }

    private static URI metricsUri(RunningWatcher watcher) {
        Await.until("the metrics' address", () -> SERVING.matcher(watcher.err()).find(), watcher::err);
        Matcher m = SERVING.matcher(watcher.err());
        m.find();
        return URI.create(m.group(1));
    }

    /** Scrapes until every sample has the expected value; returns the last scrape's samples. */
    private Map<String, Double> awaitScrape(URI metrics, String what, Map<String, Double> expected) {
        AtomicReference<Map<String, Double>> last = new AtomicReference<>(Map.of());
        Await.until(what + " in the metrics " + expected, () -> {
            last.set(samples(scrapeQuietly(metrics)));
            return expected.entrySet().stream().allMatch(e -> e.getValue().equals(last.get().get(e.getKey())));
        }, last::get);
        return last.get();
    }

    private String scrapeQuietly(URI metrics) {
        try {
            return scrape(metrics);
        } catch (IOException e) {
            throw new AssertionError("cannot scrape " + metrics + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private String scrape(URI metrics) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static Map<String, Double> samples(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.lines().toList()) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.matches()) {
                samples.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        }
        return samples;
    }
}
