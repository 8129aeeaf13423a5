package io.nodescope.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK's autoconfiguration reads the real process environment and system properties besides
 * what is passed in, so these tests configure through otel.* file properties (the same property
 * names) and assume the process itself sets no OTLP endpoint or exporter (CI sets none).
 */
class ExportSetupTest {
    private static final String ENDPOINT = "otel.exporter.otlp.endpoint";
    private ExportSetup created;

    @BeforeAll
    static void processEnvironmentConfiguresNoExporter() {
        for (String variable : new String[] {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                "OTEL_METRICS_EXPORTER"}) {
            assumeTrue(System.getenv(variable) == null, variable + " is set in this process's environment");
        }
    }

    @AfterEach
    void shutDownCreatedExporter() {
        if (created != null) {
            created.otlpExporter().ifPresent(SpanExporter::shutdown);
            created.metrics().shutdown(Duration.ofSeconds(5));
        }
    }

    private ExportSetup configure(Map<String, String> fileProperties) {
        ExportSetup setup = ExportSetup.configure(fileProperties);
        created = setup;
        return setup;
    }

    private static Map<String, String> withEndpoint(String... keyValues) {
        Map<String, String> properties = new HashMap<>();
        properties.put(ENDPOINT, "http://127.0.0.1:14317");
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put(keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    private static String configurationError(Map<String, String> fileProperties) {
        return assertThrows(ConfigurationException.class, () -> ExportSetup.configure(fileProperties))
                .getMessage();
    }

    private static void assertContains(String expected, String actual) {
        assertTrue(actual.contains(expected), () -> "expected '" + expected + "' in: " + actual);
    }

    @Test
    void withoutEndpointThereIsNoOtlpExporter() {
        assertTrue(configure(Map.of()).otlpExporter().isEmpty());
    }

    @Test
    void otlpAskedForWithoutEndpointGoesToTheStandardLocalEndpoint() {
        ExportSetup setup = configure(Map.of("otel.traces.exporter", "otlp"));

        assertTrue(setup.otlpExporter().isPresent());
        assertEquals("http://localhost:4317 (grpc)", setup.endpointDescription());
    }

    @Test
    void noneTurnsOtlpOffDespiteAnEndpoint() {
        assertTrue(configure(withEndpoint("otel.traces.exporter", "none")).otlpExporter().isEmpty());
    }

    @Test
    void endpointFromFilePropertiesCreatesAGrpcExporterByDefault() {
        ExportSetup setup = configure(withEndpoint());

        assertTrue(setup.otlpExporter().orElseThrow() instanceof OtlpGrpcSpanExporter,
                () -> setup.otlpExporter().toString());
        assertEquals("http://127.0.0.1:14317 (grpc)", setup.endpointDescription());
    }

    @Test
    void httpProtobufProtocolCreatesAnHttpExporter() {
        ExportSetup setup = configure(withEndpoint("otel.exporter.otlp.protocol", "http/protobuf"));

        assertTrue(setup.otlpExporter().orElseThrow() instanceof OtlpHttpSpanExporter,
                () -> setup.otlpExporter().toString());
        assertEquals("http://127.0.0.1:14317 (http/protobuf)", setup.endpointDescription());
    }

    @Test
    void tracesSpecificEndpointAloneCreatesAnExporter() {
        ExportSetup setup = configure(Map.of("otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:14318/v1/traces",
                "otel.exporter.otlp.traces.protocol", "http/protobuf"));

        assertTrue(setup.otlpExporter().isPresent());
        assertEquals("http://127.0.0.1:14318/v1/traces (http/protobuf)", setup.endpointDescription());
    }

    @Test
    void invalidProtocolNamesTheProperty() {
        String message = configurationError(withEndpoint("otel.exporter.otlp.protocol", "carrier-pigeon"));

        assertContains("carrier-pigeon", message);
        assertTrue(message.toLowerCase().contains("protocol"), message);
    }

    @Test
    void tracesExporterOtherThanOtlpOrNoneIsRefused() {
        String message = configurationError(Map.of("otel.traces.exporter", "console"));

        assertContains("OTEL_TRACES_EXPORTER", message);
        assertContains("console", message);
    }

    @Test
    void tracesExporterListBesideOtlpIsRefused() {
        assertContains("OTEL_TRACES_EXPORTER", configurationError(withEndpoint("otel.traces.exporter", "otlp,zipkin")));
    }

    @Test
    void metricsExporterOtherThanOtlpOrNoneIsRefusedSayingMetricsAreServedAnyway() {
        String message = configurationError(withEndpoint("otel.metrics.exporter", "prometheus"));

        assertContains("OTEL_METRICS_EXPORTER=prometheus", message);
        assertContains("/metrics", message);
    }

    @Test
    void aMetricsEndpointThatIsNoUrlNamesTheVariable() {
        assertContains("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                configurationError(Map.of("otel.exporter.otlp.metrics.endpoint", "collector:4317")));
    }

    @Test
    void nonNumericQueueSizeNamesTheProperty() {
        assertContains("otel.bsp.max.queue.size", configurationError(Map.of("otel.bsp.max.queue.size", "lots")));
    }

    @Test
    void nonNumericScheduleDelayNamesTheProperty() {
        assertContains("otel.bsp.schedule.delay", configurationError(Map.of("otel.bsp.schedule.delay", "soon")));
    }

    @Test
    void zeroConcurrentExportsNamesTheProperty() {
        assertContains("OTEL_JAVA_BSP_MAX_CONCURRENT_EXPORTS",
                configurationError(Map.of("otel.java.bsp.max.concurrent.exports", "0")));
    }

    @Test
    void zeroQueueSizeNamesThePropertyWithAnEndpointToo() {
        assertContains("OTEL_BSP_MAX_QUEUE_SIZE",
                configurationError(withEndpoint("otel.bsp.max.queue.size", "0")));
    }

    @Test
    void negativeScheduleDelayNamesThePropertyWithAnEndpointToo() {
        assertContains("OTEL_BSP_SCHEDULE_DELAY",
                configurationError(withEndpoint("otel.bsp.schedule.delay", "-5")));
    }

    @Test
    void batchSettingsMapIntoExportSettings() {
        ExportSetup setup = configure(Map.of(
                "otel.bsp.max.queue.size", "100",
                "otel.bsp.max.export.batch.size", "10",
                "otel.bsp.schedule.delay", "50",
                "otel.bsp.export.timeout", "7s",
                "otel.java.bsp.max.concurrent.exports", "3"));

        assertEquals(new ExportSettings(100, 10, Duration.ofMillis(50), Duration.ofSeconds(7), 3), setup.settings());
    }

    @Test
    void scheduleDelayDefaultsTo200Milliseconds() {
        assertEquals(Duration.ofMillis(200), configure(Map.of()).settings().scheduleDelay());
    }

    @Test
    void withoutBatchSettingsTheDefaultsApply() {
        assertEquals(ExportSettings.DEFAULTS, configure(Map.of()).settings());
    }

    @Test
    void serviceNameDefaultsToNodescope() {
        assumeTrue(System.getenv("OTEL_SERVICE_NAME") == null, "OTEL_SERVICE_NAME is set");

        assertEquals("nodescope",
                configure(Map.of()).nodeResource().getAttribute(AttributeKey.stringKey("service.name")));
    }

    @Test
    void resourceAttributesFromFilePropertiesReachTheNodeResource() {
        assumeTrue(System.getenv("OTEL_RESOURCE_ATTRIBUTES") == null, "OTEL_RESOURCE_ATTRIBUTES is set");

        ExportSetup setup = configure(Map.of("otel.resource.attributes", "k8s.node.name=node-7"));

        assertEquals("node-7", setup.nodeResource().getAttribute(AttributeKey.stringKey("k8s.node.name")));
    }

    @Test
    void anEndpointThatIsNoUrlNamesTheVariable() {
        String message = configurationError(Map.of(ENDPOINT, "not a url"));
        assertTrue(message.contains("OTEL_EXPORTER_OTLP_ENDPOINT 'not a url'"), message);
    }

    @Test
    void anEndpointWithAnotherSchemeNamesTheVariable() {
        String message = configurationError(Map.of("otel.exporter.otlp.traces.endpoint", "ftp://collector:4317"));
        assertTrue(message.contains("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), message);
        assertTrue(message.contains("http://HOST:PORT"), message);
    }
}
