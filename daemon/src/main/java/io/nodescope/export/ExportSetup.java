package io.nodescope.export;

import io.nodescope.metrics.MetricsRegistry;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The OTLP span exporter, the daemon's metrics and the node's Resource as the standard OTEL_*
 * variables describe them, built by the SDK's autoconfiguration so every documented variable
 * (endpoint, protocol, headers, certificates, compression, timeout, retry, service name,
 * resource attributes, metric export interval) means what it means everywhere else.
 *
 * <p>From the autoconfigured SDK the span exporter, the Resource and the whole MeterProvider are
 * taken: spans do not go through the SDK's tracer or BatchSpanProcessor (see
 * {@link SpanExportQueue}), metrics do go through its periodic OTLP reader, beside the reader
 * that renders /metrics.
 *
 * @param otlpExporter  empty when no OTLP endpoint is configured (then the console is the output)
 * @param endpointDescription where OTLP goes, for the start-up log line
 * @param metrics       on the node's Resource; exported as OTLP metrics unless OTEL_METRICS_EXPORTER=none
 *                      or no endpoint is configured; shut down with the daemon
 */
public record ExportSetup(Optional<SpanExporter> otlpExporter, String endpointDescription, Resource nodeResource,
                          ExportSettings settings, MetricsRegistry metrics) {
    private static final List<String> ENDPOINT_PROPERTIES =
            List.of("otel.exporter.otlp.endpoint", "otel.exporter.otlp.traces.endpoint");
    private static final List<String> METRICS_ENDPOINT_PROPERTIES =
            List.of("otel.exporter.otlp.endpoint", "otel.exporter.otlp.metrics.endpoint");

    /**
     * @param fileProperties otel.* keys from nodescope's config file: defaults that the process's
     *                       OTEL_* environment and otel.* system properties override (the SDK reads those)
     */
    public static ExportSetup configure(Map<String, String> fileProperties) throws ConfigurationException {
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", "nodescope");
        defaults.put("otel.logs.exporter", "none");
        defaults.putAll(fileProperties);

        AtomicReference<SpanExporter> exporter = new AtomicReference<>();
        AtomicReference<Resource> resource = new AtomicReference<>();
        AtomicReference<ConfigProperties> properties = new AtomicReference<>();
        AtomicReference<ExportSettings> settings = new AtomicReference<>();
        MetricsRegistry.Wiring metricsWiring = new MetricsRegistry.Wiring(MetricsRegistry.DEFAULT_MAX_LABEL_SETS);
        AutoConfiguredOpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addPropertiesCustomizer(config -> {
                    // Before the SDK builds exporters: it would otherwise refuse an exporter it
                    // lacks with advice to add a dependency, which a nodescope user cannot do.
                    String tracesExporter = exporter(config, "traces", ENDPOINT_PROPERTIES,
                            "use otlp (or none and --console)");
                    String metricsExporter = exporter(config, "metrics", METRICS_ENDPOINT_PROPERTIES,
                            "use otlp or none (/metrics serves Prometheus either way)");
                    ENDPOINT_PROPERTIES.forEach(property -> checkEndpoint(config, property));
                    checkEndpoint(config, "otel.exporter.otlp.metrics.endpoint");
                    // Also before: the SDK's own BatchSpanProcessor rejects the same numbers as
                    // "Unexpected configuration error", naming no variable.
                    settings.set(exportSettings(config));
                    properties.set(config);
                    return Map.of("otel.traces.exporter", tracesExporter, "otel.metrics.exporter", metricsExporter);
                })
                .addSpanExporterCustomizer((configured, config) -> {
                    exporter.set(configured);
                    return configured;
                })
                .addMeterProviderCustomizer((builder, config) -> metricsWiring.customize(builder))
                .addResourceCustomizer((configured, config) -> {
                    resource.set(configured);
                    return configured;
                })
                .disableShutdownHook()
                .build();
        ConfigProperties config = properties.get();
        return new ExportSetup(Optional.ofNullable(exporter.get()), describeEndpoint(config),
                resource.get(), settings.get(), metricsWiring.registry(sdk.getOpenTelemetrySdk().getSdkMeterProvider()));
    }

    /**
     * OTEL_TRACES_EXPORTER (OTEL_METRICS_EXPORTER) as set, else otlp when an endpoint for the
     * signal is set and none without one (the SDK's own default, otlp to localhost, would send a
     * node's data nowhere and log failures).
     */
    private static String exporter(ConfigProperties config, String signal, List<String> endpointProperties,
                                   String advice) {
        String property = "otel." + signal + ".exporter";
        List<String> configured = config.getList(property, List.of());
        if (configured.isEmpty()) {
            boolean endpointConfigured = endpointProperties.stream()
                    .anyMatch(endpoint -> config.getString(endpoint) != null);
            return endpointConfigured ? "otlp" : "none";
        }
        String exporter = String.join(",", configured);
        if (!exporter.equals("otlp") && !exporter.equals("none")) {
            throw new ConfigurationException(toEnvironmentName(property) + "=" + exporter
                    + " is not supported by nodescope: " + advice);
        }
        return exporter;
    }

    /** The SDK's own message ("OTLP endpoint must be a valid URL") names no variable. */
    private static void checkEndpoint(ConfigProperties config, String property) {
        String endpoint = config.getString(property);
        if (endpoint == null) {
            return;
        }
        String expected = ": expected http://HOST:PORT or https://HOST:PORT";
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw new ConfigurationException("invalid " + toEnvironmentName(property) + " '" + endpoint + "'" + expected);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new ConfigurationException("invalid " + toEnvironmentName(property) + " '" + endpoint + "'" + expected);
        }
    }

    private static String describeEndpoint(ConfigProperties config) {
        String protocol = Optional.ofNullable(config.getString("otel.exporter.otlp.traces.protocol"))
                .orElse(config.getString("otel.exporter.otlp.protocol", "grpc"));
        String endpoint = Optional.ofNullable(config.getString("otel.exporter.otlp.traces.endpoint"))
                .orElse(config.getString("otel.exporter.otlp.endpoint",
                        protocol.equals("grpc") ? "http://localhost:4317" : "http://localhost:4318"));
        return endpoint + " (" + protocol + ")";
    }

    private static ExportSettings exportSettings(ConfigProperties config) {
        ExportSettings defaults = ExportSettings.DEFAULTS;
        return new ExportSettings(
                positive(config, "otel.bsp.max.queue.size", defaults.maxQueueSize()),
                positive(config, "otel.bsp.max.export.batch.size", defaults.maxExportBatchSize()),
                duration(config, "otel.bsp.schedule.delay", defaults.scheduleDelay()),
                duration(config, "otel.bsp.export.timeout", defaults.exportTimeout()),
                positive(config, "otel.java.bsp.max.concurrent.exports", defaults.maxConcurrentExports()));
    }

    private static int positive(ConfigProperties config, String property, int fallback) {
        int value = config.getInt(property, fallback);
        if (value < 1) {
            throw new ConfigurationException("invalid " + toEnvironmentName(property) + "=" + value
                    + ": must be a positive number");
        }
        return value;
    }

    private static Duration duration(ConfigProperties config, String property, Duration fallback) {
        Duration value = config.getDuration(property, fallback);
        if (value.isNegative() || value.isZero()) {
            throw new ConfigurationException("invalid " + toEnvironmentName(property) + ": must be positive");
        }
        return value;
    }

    static String toEnvironmentName(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
    }
}
