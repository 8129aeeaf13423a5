package io.nodescope.metrics;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.Data;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramBuckets;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramData;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.resources.Resource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A histogram a probe module's BPF program aggregates: read from the module's supplier at each
 * collection and handed to the SDK as a cumulative exponential histogram at scale 0.
 *
 * <p>At most {@code maxLabelSets} label sets go out under their own labels. A label set keeps its
 * place while the supplier still reports it (so its series and the {@link MetricsRegistry#OTHER}
 * series stay monotonic); free places go to the newcomers with the largest counts; everything
 * else is summed under {@link MetricsRegistry#OTHER} in every label.
 */
final class KernelHistogram {
    private final String name;
    private final String help;
    private final String unit;
    private final List<String> labelNames;
    private final Supplier<? extends Collection<Log2HistogramPoint>> points;
    private final int maxLabelSets;
    private final long startEpochNanos;
    private final List<String> otherLabelValues;
    private final Set<List<String>> admitted = new HashSet<>();
    private volatile long foldedLabelSets;

    KernelHistogram(String name, String help, String unit, List<String> labelNames,
                    Supplier<? extends Collection<Log2HistogramPoint>> points, int maxLabelSets, long startEpochNanos) {
        this.name = name;
        this.help = help;
        this.unit = unit;
        this.labelNames = List.copyOf(labelNames);
        this.points = points;
        this.maxLabelSets = maxLabelSets;
        this.startEpochNanos = startEpochNanos;
        this.otherLabelValues = labelNames.stream().map(n -> MetricsRegistry.OTHER).toList();
    }

    String name() {
        return name;
    }

    /** Label sets summed under {@link MetricsRegistry#OTHER} at the latest collection. */
    long foldedLabelSets() {
        return foldedLabelSets;
    }

    MetricData collect(Resource resource, InstrumentationScopeInfo scope, long nowEpochNanos) {
        List<ExponentialHistogramPointData> data = new ArrayList<>();
        for (Log2HistogramPoint point : bound(points.get())) {
            data.add(toPointData(point, nowEpochNanos));
        }
        return new KernelMetricData(resource, scope, name, help, unit,
                ExponentialHistogramData.create(AggregationTemporality.CUMULATIVE, data));
    }

    /** Both readers (OTLP, /metrics) collect, each on its own thread. */
    synchronized List<Log2HistogramPoint> bound(Collection<Log2HistogramPoint> reported) {
        Map<List<String>, Log2HistogramPoint> byLabels = new LinkedHashMap<>();
        for (Log2HistogramPoint point : reported) {
            if (point.labelValues().size() != labelNames.size()) {
                throw new IllegalStateException(name + " expects labels " + labelNames + ", got " + point.labelValues());
            }
            byLabels.merge(point.labelValues(), point, (a, b) -> a.plus(b, a.labelValues()));
        }
        admitted.retainAll(byLabels.keySet());
        byLabels.values().stream()
                .filter(p -> !admitted.contains(p.labelValues()))
                .sorted(Comparator.comparingLong(Log2HistogramPoint::count).reversed())
                .limit(Math.max(0, maxLabelSets - admitted.size()))
                .forEach(p -> admitted.add(p.labelValues()));
        List<Log2HistogramPoint> bounded = new ArrayList<>();
        Log2HistogramPoint other = new Log2HistogramPoint(otherLabelValues, 0, 0, 0, new long[0]);
        long folded = 0;
        for (Log2HistogramPoint point : byLabels.values()) {
            if (admitted.contains(point.labelValues())) {
                bounded.add(point);
            } else {
                folded++;
                other = other.plus(point, otherLabelValues);
            }
        }
        if (folded > 0) {
            bounded.add(other);
        }
        foldedLabelSets = folded;
        return bounded;
    }

    private ExponentialHistogramPointData toPointData(Log2HistogramPoint point, long nowEpochNanos) {
        AttributesBuilder attributes = Attributes.builder();
        for (int i = 0; i < labelNames.size(); i++) {
            attributes.put(labelNames.get(i), point.labelValues().get(i));
        }
        long[] counts = point.bucketCounts();
        List<Long> positive = new ArrayList<>(counts.length);
        for (long count : counts) {
            positive.add(count);
        }
        return ExponentialHistogramPointData.create(0, point.sum(), point.zeroCount(), false, 0, false, 0,
                ExponentialHistogramBuckets.create(0, point.offset(), positive),
                ExponentialHistogramBuckets.create(0, 0, List.of()),
                startEpochNanos, nowEpochNanos, attributes.build(), List.of());
    }

    /** The SDK publishes MetricData as an interface only; its own implementation is internal. */
    private record KernelMetricData(Resource getResource, InstrumentationScopeInfo getInstrumentationScopeInfo,
                                    String getName, String getDescription, String getUnit,
                                    Data<?> getData) implements MetricData {
        @Override
        public MetricDataType getType() {
            return MetricDataType.EXPONENTIAL_HISTOGRAM;
        }
    }
}
