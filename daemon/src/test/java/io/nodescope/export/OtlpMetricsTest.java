package io.nodescope.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nodescope.metrics.Log2HistogramPoint;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.testing.OtlpReceiver;
import io.nodescope.testing.OtlpReceiver.Protocol;
import io.nodescope.testing.OtlpReceiver.ReceivedMetric;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The daemon's metrics reach a real OTLP receiver on loopback through the MeterProvider that
 * ExportSetup builds, decoded with the opentelemetry-proto classes.
 */
class OtlpMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @BeforeAll
    static void processEnvironmentConfiguresNoExporter() {
        for (String variable : new String[] {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                "OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_METRIC_EXPORT_INTERVAL"}) {
            assumeTrue(System.getenv(variable) == null, variable + " is set in this process's environment");
        }
    }

    private static ExportSetup configure(OtlpReceiver receiver, String... keyValues) {
        Map<String, String> properties = new HashMap<>();
        properties.put("otel.exporter.otlp.endpoint", receiver.endpoint());
        properties.put("otel.exporter.otlp.protocol", receiver.protocol().otelName);
        properties.put("otel.resource.attributes", "k8s.node.name=node-7");
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put(keyValues[i], keyValues[i + 1]);
        }
        return ExportSetup.configure(properties);
    }

    private static void shutDown(ExportSetup export) {
        export.metrics().shutdown(Duration.ofSeconds(10));
        export.otlpExporter().ifPresent(exporter -> exporter.shutdown());
    }

    private static Predicate<ReceivedMetric> counterAt(String name, long value) {
        return received -> received.metric().getName().equals(name)
                && received.metric().getSum().getIsMonotonic()
                && received.metric().getSum().getDataPointsList().stream().mapToLong(NumberDataPoint::getAsInt).sum()
                == value;
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aCounterAndAKernelHistogramArriveAtTheExportIntervalOnTheNodeResource(Protocol protocol) throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(protocol, 0)) {
            ExportSetup export = configure(receiver, "otel.metric.export.interval", "200ms");
            try {
                export.metrics().counter("nodescope_test_events_total", "Events.", "ring", "oom").add(5);
                export.metrics().kernelHistogram("nodescope_test_lock_wait_nanoseconds", "Lock wait.", "ns",
                        List.of("pod"), () -> List.of(new Log2HistogramPoint(List.of("web-1"), 9, 1, -1,
                                new long[] {1, 1, 2})));

                // Before any shutdown: only the periodic reader, at the configured interval, sends these.
                ReceivedMetric counter = receiver.awaitMetric(counterAt("nodescope_test_events_total", 5), WAIT);
                ReceivedMetric histogram = receiver.awaitMetric(
                        m -> m.metric().getName().equals("nodescope_test_lock_wait_nanoseconds"), WAIT);

                assertEquals("oom", counter.metric().getSum().getDataPoints(0).getAttributes(0).getValue()
                        .getStringValue());
                assertEquals("node-7", counter.resourceAttribute("k8s.node.name").orElseThrow().getStringValue());
                assertEquals("nodescope", counter.resourceAttribute("service.name").orElseThrow().getStringValue());
                assertEquals("ns", histogram.metric().getUnit());
                ExponentialHistogramDataPoint point = histogram.metric().getExponentialHistogram().getDataPoints(0);
                assertEquals(0, point.getScale());
                assertEquals(-1, point.getPositive().getOffset());
                assertEquals(List.of(1L, 1L, 2L), point.getPositive().getBucketCountsList());
                assertEquals(1, point.getZeroCount());
                assertEquals(5, point.getCount());
                assertEquals(9.0, point.getSum());
                assertEquals("web-1", point.getAttributes(0).getValue().getStringValue());
                assertEquals("node-7", histogram.resourceAttribute("k8s.node.name").orElseThrow().getStringValue());
            } finally {
                shutDown(export);
            }
        }
    }

    @Test
    void shutdownExportsTheLastValuesWithoutWaitingForTheInterval() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0)) {
            ExportSetup export = configure(receiver);
            export.metrics().counter("nodescope_test_events_total", "Events.").add(3);

            shutDown(export);

            assertTrue(receiver.metrics().stream().anyMatch(counterAt("nodescope_test_events_total", 3)),
                    receiver.metrics().toString());
        }
    }

    @Test
    void metricsExporterNoneKeepsMetricsOffTheEndpointButOnMetricsText() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0)) {
            ExportSetup export = configure(receiver, "otel.metrics.exporter", "none");
            export.metrics().counter("nodescope_test_events_total", "Events.").add(3);
            String text = export.metrics().renderPrometheusText();

            shutDown(export);

            assertEquals(List.of(), receiver.metrics());
            assertTrue(text.contains("nodescope_test_events_total 3.0\n"), text);
        }
    }

    @Test
    void onlyNodescopesOwnMetricsAreExported() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(Protocol.GRPC, 0)) {
            ExportSetup export = configure(receiver);
            export.metrics().counter("nodescope_test_events_total", "Events.").add(3);

            shutDown(export);

            List<String> names = receiver.metrics().stream().map(m -> m.metric().getName()).distinct().toList();
            assertEquals(List.of("nodescope_test_events_total"), names);
        }
    }
}
