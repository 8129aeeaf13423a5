package io.nodescope.server;

import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE;

import io.nodescope.metrics.MetricsRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** What each of the daemon's paths answers; knows nothing of methods or connections. */
final class Endpoints {
    static final String PROMETHEUS_TEXT = MetricsRegistry.PROMETHEUS_CONTENT_TYPE;

    private final Map<String, Supplier<Reply>> byPath;

    Endpoints(MetricsRegistry metrics, ReadinessCheck readiness) {
        byPath = Map.of(
                "/healthz", () -> Reply.line(OK, "ok"),
                "/readyz", () -> readiness.notReadyReason()
                        .map(reason -> Reply.line(SERVICE_UNAVAILABLE, "not ready: " + reason))
                        .orElseGet(() -> Reply.line(OK, "ready")),
                "/metrics", () -> new Reply(OK, PROMETHEUS_TEXT, metrics.renderPrometheusText()));
    }

    Optional<Supplier<Reply>> find(String path) {
        return Optional.ofNullable(byPath.get(path));
    }
}
