package io.nodescope.export;

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
 * The OTLP span exporter and the node's Resource as the standard OTEL_* variables describe them,
 * built by the SDK's autoconfiguration so every documented variable (endpoint, protocol, headers,
 * certificates, compression, timeout, retry, service name, resource attributes) means what it
 * means everywhere else.
 *
 * <p>Only the exporter and the Resource are taken; spans do not go through the SDK's tracer or
 * BatchSpanProcessor (see {@link SpanExportQueue}).
 *
 * @param otlpExporter  empty when no OTLP endpoint is configured (then the console is the output)
 * @param endpointDescription where OTLP goes, for the start-up log line
 */
public record ExportSetup(Optional<SpanExporter> otlpExporter, String endpointDescription, Resource nodeResource,
                          ExportSettings settings) {
    private static final List<String> ENDPOINT_PROPERTIES =
            List.of("otel.exporter.otlp.endpoint", "otel.exporter.otlp.traces.endpoint");

    /**
     * @param fileProperties otel.* keys from nodescope's config file: defaults that the process's
     *                       OTEL_* environment and otel.* system properties override (the SDK reads those)
     */
    public static ExportSetup configure(Map<String, String> fileProperties) throws ConfigurationException {
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", "nodescope");
        defaults.put("otel.metrics.exporter", "none");
        defaults.put("otel.logs.exporter", "none");
        defaults.putAll(fileProperties);

        AtomicReference<SpanExporter> exporter = new AtomicReference<>();
        AtomicReference<Resource> resource = new AtomicReference<>();
        AtomicReference<ConfigProperties> properties = new AtomicReference<>();
        AtomicReference<ExportSettings> settings = new AtomicReference<>();
        AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addPropertiesCustomizer(config -> {
                    // Before the SDK builds exporters: it would otherwise refuse an exporter it
                    // lacks with advice to add a dependency, which a nodescope user cannot do.
                    String tracesExporter = tracesExporter(config);
                    ENDPOINT_PROPERTIES.forEach(property -> checkEndpoint(config, property));
                    // Also before: the SDK's own BatchSpanProcessor rejects the same numbers as
                    // "Unexpected configuration error", naming no variable.
                    settings.set(exportSettings(config));
                    properties.set(config);
                    return Map.of("otel.traces.exporter", tracesExporter);
                })
                .addSpanExporterCustomizer((configured, config) -> {
                    exporter.set(configured);
                    return configured;
                })
                .addResourceCustomizer((configured, config) -> {
                    resource.set(configured);
                    return configured;
                })
                .disableShutdownHook()
                .build();
        ConfigProperties config = properties.get();
        return new ExportSetup(Optional.ofNullable(exporter.get()), describeEndpoint(config),
                resource.get(), settings.get());
    }

    /**
     * OTEL_TRACES_EXPORTER as set, else otlp when an endpoint is set and none without one (the
     * SDK's own default, otlp to localhost, would send a node's spans nowhere and log failures).
     */
    private static String tracesExporter(ConfigProperties config) {
        List<String> configured = config.getList("otel.traces.exporter", List.of());
        if (configured.isEmpty()) {
            boolean endpointConfigured = ENDPOINT_PROPERTIES.stream()
                    .anyMatch(property -> config.getString(property) != null);
            return endpointConfigured ? "otlp" : "none";
        }
        String tracesExporter = String.join(",", configured);
        if (!tracesExporter.equals("otlp") && !tracesExporter.equals("none")) {
            throw new ConfigurationException("OTEL_TRACES_EXPORTER=" + tracesExporter
                    + " is not supported by nodescope: use otlp (or none and --console)");
        }
        return tracesExporter;
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
