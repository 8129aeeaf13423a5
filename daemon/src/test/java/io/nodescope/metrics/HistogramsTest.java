package io.nodescope.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Histograms through the real SDK: what a second reader (standing in for the OTLP one) collects,
 * and what /metrics renders from the same provider.
 */
class HistogramsTest {
    private static final AttributeKey<String> POD = AttributeKey.stringKey("pod");
    private static final int BOUND = 2;

    private final InMemoryMetricReader otlpSide = InMemoryMetricReader.create();
    private final MetricsRegistry.Wiring wiring = new MetricsRegistry.Wiring(BOUND);
    private final MetricsRegistry registry = wiring.registry(
            wiring.customize(SdkMeterProvider.builder().registerMetricReader(otlpSide)).build());
    private final List<Log2HistogramPoint> kernelMap = new ArrayList<>();

    @AfterEach
    void shutDown() {
        registry.shutdown(Duration.ofSeconds(5));
    }

    private MetricData collected(String name) {
        return otlpSide.collectAllMetrics().stream().filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not collected"));
    }

    private static Map<String, ExponentialHistogramPointData> byPod(MetricData metric) {
        assertEquals(MetricDataType.EXPONENTIAL_HISTOGRAM, metric.getType());
        return metric.getExponentialHistogramData().getPoints().stream()
                .collect(Collectors.toMap(p -> p.getAttributes().get(POD), Function.identity()));
    }

    private static Log2HistogramPoint point(String pod, long... bucketCounts) {
        return new Log2HistogramPoint(List.of(pod), 0, 0, -1, bucketCounts);
    }

    @Test
    void recordedValuesRenderAsPowerOfTwoBucketsWithAPowerOfTwoInItsOwnBucket() {
        BoundedHistogram wait = registry.histogram("nodescope_test_wait_nanoseconds", "Wait.", "ns", "pod");

        wait.record(4, "a");
        wait.record(5, "a");
        wait.record(0, "a");

        assertEquals("""
                # HELP nodescope_test_wait_nanoseconds Wait.
                # TYPE nodescope_test_wait_nanoseconds histogram
                nodescope_test_wait_nanoseconds_bucket{pod="a",le="4.0"} 2
                nodescope_test_wait_nanoseconds_bucket{pod="a",le="8.0"} 3
                nodescope_test_wait_nanoseconds_bucket{pod="a",le="+Inf"} 3
                nodescope_test_wait_nanoseconds_count{pod="a"} 3
                nodescope_test_wait_nanoseconds_sum{pod="a"} 9.0
                """, registry.renderPrometheusText().replaceAll("(?s)# HELP nodescope_metric_folded.*?\n(?=# HELP)", ""));
        ExponentialHistogramPointData exported = byPod(collected("nodescope_test_wait_nanoseconds")).get("a");
        assertEquals(3, exported.getCount());
        assertEquals(1, exported.getZeroCount());
        assertEquals("ns", collected("nodescope_test_wait_nanoseconds").getUnit());
    }

    @Test
    void labelSetsBeyondTheBoundAreRecordedUnderOtherAndCounted() {
        BoundedHistogram wait = registry.histogram("nodescope_test_wait_nanoseconds", "Wait.", "ns", "pod");

        wait.record(10, "a");
        wait.record(10, "b");
        wait.record(10, "c");
        wait.record(10, "d");
        wait.record(10, "a");

        Map<String, ExponentialHistogramPointData> points = byPod(collected("nodescope_test_wait_nanoseconds"));
        assertEquals(List.of("__other__", "a", "b"), points.keySet().stream().sorted().toList());
        assertEquals(2, points.get("a").getCount());
        assertEquals(2, points.get(MetricsRegistry.OTHER).getCount());
        assertTrue(registry.renderPrometheusText().contains(
                "nodescope_metric_folded_recordings_total{metric=\"nodescope_test_wait_nanoseconds\"} 2.0\n"),
                registry.renderPrometheusText());
    }

    @Test
    void recordingRefusesNegativeValuesAndTheWrongNumberOfLabels() {
        BoundedHistogram wait = registry.histogram("nodescope_test_wait_nanoseconds", "Wait.", "ns", "pod");

        assertThrows(IllegalArgumentException.class, () -> wait.record(-1, "a"));
        assertThrows(IllegalArgumentException.class, () -> wait.record(1));
        assertThrows(IllegalArgumentException.class, () -> wait.record(1, "a", "b"));
    }

    @Test
    void kernelSlotsGoOutAsAScaleZeroExponentialHistogramBucketForBucket() {
        registry.kernelHistogram("nodescope_test_lock_wait_nanoseconds", "Lock wait.", "ns", List.of("pod"),
                () -> kernelMap);
        // Slot k of offset -1 holds (2^(k-1), 2^k]: 1 -> slot 0, 2 -> slot 1, 3..4 -> slot 2.
        kernelMap.add(new Log2HistogramPoint(List.of("a"), 12, 1, -1, new long[] {1, 2, 3}));

        ExponentialHistogramPointData exported = byPod(collected("nodescope_test_lock_wait_nanoseconds")).get("a");

        assertEquals(0, exported.getScale());
        assertEquals(-1, exported.getPositiveBuckets().getOffset());
        assertEquals(List.of(1L, 2L, 3L), exported.getPositiveBuckets().getBucketCounts());
        assertEquals(1, exported.getZeroCount());
        assertEquals(7, exported.getCount());
        assertEquals(12.0, exported.getSum());
    }

    @Test
    void kernelSlotsRenderAsCumulativeBucketsWithZerosInTheLowest() {
        registry.kernelHistogram("nodescope_test_lock_wait_nanoseconds", "Lock wait.", "ns", List.of("pod"),
                () -> kernelMap);
        kernelMap.add(new Log2HistogramPoint(List.of("a"), 12, 1, -1, new long[] {1, 0, 3}));

        assertEquals("""
                # HELP nodescope_test_lock_wait_nanoseconds Lock wait.
                # TYPE nodescope_test_lock_wait_nanoseconds histogram
                nodescope_test_lock_wait_nanoseconds_bucket{pod="a",le="1.0"} 2
                nodescope_test_lock_wait_nanoseconds_bucket{pod="a",le="2.0"} 2
                nodescope_test_lock_wait_nanoseconds_bucket{pod="a",le="4.0"} 5
                nodescope_test_lock_wait_nanoseconds_bucket{pod="a",le="+Inf"} 5
                nodescope_test_lock_wait_nanoseconds_count{pod="a"} 5
                nodescope_test_lock_wait_nanoseconds_sum{pod="a"} 12.0
                """, registry.renderPrometheusText().replaceAll("(?s)# HELP nodescope_metric_folded.*?\n(?=# HELP)", ""));
    }

    @Test
    void theLargestKernelLabelSetsKeepTheirSeriesAndTheRestAreSummedUnderOther() {
        registry.kernelHistogram("nodescope_test_lock_wait_nanoseconds", "Lock wait.", "ns", List.of("pod"),
                () -> kernelMap);
        kernelMap.addAll(List.of(point("small", 1), point("large", 0, 9), point("medium", 5),
                new Log2HistogramPoint(List.of("tiny"), 0, 0, 3, new long[] {1})));

        Map<String, ExponentialHistogramPointData> points = byPod(collected("nodescope_test_lock_wait_nanoseconds"));

        assertEquals(List.of("__other__", "large", "medium"), points.keySet().stream().sorted().toList());
        ExponentialHistogramPointData other = points.get(MetricsRegistry.OTHER);
        // "small" (slot 0 of offset -1) and "tiny" (offset 3) merged over one range of buckets.
        assertEquals(-1, other.getPositiveBuckets().getOffset());
        assertEquals(List.of(1L, 0L, 0L, 0L, 1L), other.getPositiveBuckets().getBucketCounts());
        assertTrue(registry.renderPrometheusText().contains(
                "nodescope_metric_folded_label_sets{metric=\"nodescope_test_lock_wait_nanoseconds\"} 2.0\n"));
    }

    @Test
    void anAdmittedKernelLabelSetKeepsItsSeriesWhileANewcomerOvertakesIt() {
        registry.kernelHistogram("nodescope_test_lock_wait_nanoseconds", "Lock wait.", "ns", List.of("pod"),
                () -> kernelMap);
        kernelMap.addAll(List.of(point("a", 2), point("b", 2), point("c", 1)));
        collected("nodescope_test_lock_wait_nanoseconds");

        kernelMap.set(2, point("c", 50));
        Map<String, ExponentialHistogramPointData> afterOvertaking =
                byPod(collected("nodescope_test_lock_wait_nanoseconds"));
        kernelMap.remove(0);
        Map<String, ExponentialHistogramPointData> afterAGoes =
                byPod(collected("nodescope_test_lock_wait_nanoseconds"));

        assertEquals(List.of("__other__", "a", "b"), afterOvertaking.keySet().stream().sorted().toList(),
                "the other series stays monotonic: c does not leave it while a and b report");
        assertEquals(List.of("b", "c"), afterAGoes.keySet().stream().sorted().toList());
    }

    @Test
    void aFailingKernelSupplierLeavesOutItsHistogramOnly() {
        registry.kernelHistogram("nodescope_test_broken_nanoseconds", "Broken.", "ns", List.of("pod"), () -> {
            throw new IllegalStateException("map gone");
        });
        registry.kernelHistogram("nodescope_test_lock_wait_nanoseconds", "Lock wait.", "ns", List.of("pod"),
                () -> kernelMap);
        kernelMap.add(point("a", 1));

        List<String> names = otlpSide.collectAllMetrics().stream().map(MetricData::getName).toList();

        assertTrue(names.contains("nodescope_test_lock_wait_nanoseconds"), names.toString());
        assertTrue(!names.contains("nodescope_test_broken_nanoseconds"), names.toString());
        assertTrue(registry.renderPrometheusText().contains("nodescope_test_lock_wait_nanoseconds_count{pod=\"a\"} 1"));
    }

    @Test
    void aKernelPointWithTheWrongNumberOfLabelsIsRefused() {
        registry.kernelHistogram("nodescope_test_lock_wait_nanoseconds", "Lock wait.", "ns", List.of("pod"),
                () -> kernelMap);
        kernelMap.add(new Log2HistogramPoint(List.of("a", "extra"), 0, 0, 0, new long[] {1}));

        assertTrue(otlpSide.collectAllMetrics().stream()
                .noneMatch(m -> m.getName().equals("nodescope_test_lock_wait_nanoseconds")));
    }

    @Test
    void aHistogramNameCannotBeTakenTwiceOrByACounter() {
        registry.histogram("nodescope_test_wait_nanoseconds", "Wait.", "ns", "pod");

        assertThrows(IllegalArgumentException.class,
                () -> registry.kernelHistogram("nodescope_test_wait_nanoseconds", "Wait.", "ns", List.of(), List::of));
        assertThrows(IllegalArgumentException.class,
                () -> registry.counter("nodescope_test_wait_nanoseconds", "Wait."));
        assertThrows(IllegalArgumentException.class,
                () -> registry.histogram("nodescope_test_other_nanoseconds", "Other.", "ns", "pod", "pod"));
    }
}
