package io.nodescope.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.metrics.MetricsRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpServerTest {
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final MetricsRegistry metrics = new MetricsRegistry();
    private final AtomicReference<ReadinessCheck> readiness = new AtomicReference<>(Optional::empty);
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.start(LOOPBACK_ANY_PORT, metrics, () -> readiness.get().notReadyReason());
    }

    @AfterEach
    void stopServer() {
        server.close();
        client.close();
    }

    @Test
    void healthzAnswersOk() throws Exception {
        HttpResponse<String> response = get("/healthz");

        assertEquals(200, response.statusCode());
        assertEquals("ok\n", response.body());
        assertEquals("text/plain; charset=utf-8", response.headers().firstValue("content-type").orElseThrow());
    }

    @Test
    void readyzGives503WithTheReasonUntilTheDaemonIsReady() throws Exception {
        readiness.set(() -> Optional.of("bpf programs not loaded"));
        HttpResponse<String> notReady = get("/readyz");
        readiness.set(Optional::empty);
        HttpResponse<String> ready = get("/readyz");

        assertEquals(503, notReady.statusCode());
        assertEquals("not ready: bpf programs not loaded\n", notReady.body());
        assertEquals(200, ready.statusCode());
        assertEquals("ready\n", ready.body());
    }

    @Test
    void metricsServesTheRegistryInPrometheusTextFormat() throws Exception {
        metrics.counter("nodescope_test_events_total", "Test events.", "ring", "oom").add(5);

        HttpResponse<String> response = get("/metrics");

        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                response.headers().firstValue("content-type").orElseThrow());
        assertEquals("""
                # HELP nodescope_test_events_total Test events.
                # TYPE nodescope_test_events_total counter
                nodescope_test_events_total{ring="oom"} 5.0
                """, response.body());
    }

    @Test
    void queryStringsDoNotAffectRouting() throws Exception {
        HttpResponse<String> response = get("/readyz?verbose=1");

        assertEquals(200, response.statusCode());
        assertEquals("ready\n", response.body());
    }

    @Test
    void unknownPathsAre404() throws Exception {
        assertEquals(404, get("/").statusCode());
        assertEquals(404, get("/healthz/extra").statusCode());
        assertEquals(404, send("POST", "/nope").statusCode());
    }

    @Test
    void otherMethodsAre405NamingTheAllowedOnes() throws Exception {
        for (String method : new String[] {"POST", "PUT", "DELETE"}) {
            HttpResponse<String> response = send(method, "/metrics");

            assertEquals(405, response.statusCode(), method);
            assertEquals("GET, HEAD", response.headers().firstValue("allow").orElseThrow(), method);
        }
    }

    @Test
    void headAnswersLikeGetWithoutTheBody() throws Exception {
        metrics.gauge("nodescope_test_queue_depth", "Queue depth.", () -> 12);
        HttpResponse<String> get = get("/metrics");

        HttpResponse<String> head = send("HEAD", "/metrics");

        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(get.headers().firstValue("content-type"), head.headers().firstValue("content-type"));
        assertEquals(get.body().getBytes(StandardCharsets.UTF_8).length,
                head.headers().firstValueAsLong("content-length").orElseThrow());
    }

    @Test
    void aFailingReadinessCheckGivesA500AndTheServerKeepsServing() throws Exception {
        readiness.set(() -> {
            throw new IllegalStateException("probe table corrupt\nat slot 3");
        });

        HttpResponse<String> failed = get("/readyz");

        assertEquals(500, failed.statusCode());
        assertEquals("internal error: java.lang.IllegalStateException: probe table corrupt at slot 3\n", failed.body());
        assertEquals(200, get("/healthz").statusCode());
    }

    @Test
    void aFailingMetricIsLeftOutAndTheOthersAreServed() throws Exception {
        metrics.gauge("nodescope_test_broken", "Broken.", () -> {
            throw new UnsupportedOperationException("map gone");
        });
        metrics.gauge("nodescope_test_queue_depth", "Queue depth.", () -> 12);

        HttpResponse<String> response = get("/metrics");

        assertEquals(200, response.statusCode());
        assertEquals("""
                # HELP nodescope_test_queue_depth Queue depth.
                # TYPE nodescope_test_queue_depth gauge
                nodescope_test_queue_depth 12.0
                """, response.body());
    }

    @Test
    void servesOnDaemonThreadsNamedForTheServer() throws Exception {
        AtomicReference<Thread> servingThread = new AtomicReference<>();
        readiness.set(() -> {
            servingThread.set(Thread.currentThread());
            return Optional.empty();
        });

        get("/readyz");

        assertTrue(servingThread.get().getName().startsWith("nodescope-http-"), servingThread.get().getName());
        assertTrue(servingThread.get().isDaemon());
    }

    @Test
    void bindsExactlyTheGivenAddress() {
        assertEquals(InetAddress.getLoopbackAddress(), server.boundAddress().getAddress());
        assertNotEquals(0, server.boundAddress().getPort());
    }

    @Test
    void aTakenPortGivesAOneLineIOExceptionNamingAddressAndCause() {
        InetSocketAddress taken = server.boundAddress();

        IOException failure = assertThrows(IOException.class,
                () -> HttpServer.start(taken, metrics, Optional::empty));

        assertEquals("cannot bind HTTP endpoint " + taken.getHostString() + ":" + taken.getPort()
                + ": Address already in use", failure.getMessage());
    }

    @Test
    void anUnresolvedHostGivesAOneLineIOException() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("no-such-host.invalid", 9464);

        IOException failure = assertThrows(IOException.class,
                () -> HttpServer.start(unresolved, metrics, Optional::empty));

        assertEquals("cannot bind HTTP endpoint no-such-host.invalid:9464: host does not resolve", failure.getMessage());
    }

    @Test
    void closeIsIdempotentAndFreesThePort() throws Exception {
        InetSocketAddress address = server.boundAddress();
        assertEquals(200, get("/healthz").statusCode());

        server.close();
        server.close();

        assertThrows(IOException.class, () -> get("/healthz"));
        server = HttpServer.start(address, metrics, Optional::empty);
        assertEquals(address, server.boundAddress());
        assertEquals(200, get("/healthz").statusCode());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path);
    }

    private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + server.boundAddress().getHostString() + ":"
                + server.boundAddress().getPort() + path);
        HttpRequest request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
