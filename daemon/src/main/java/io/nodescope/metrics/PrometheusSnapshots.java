package io.nodescope.metrics;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramBuckets;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The SDK's collected metrics as prometheus-metrics snapshots, under the instrument's own name
 * (no unit or {@code _total} is added: nodescope names its instruments the Prometheus way) and
 * without the Resource (one node's daemon, scraped as one target).
 *
 * <p>Exponential histograms become classic ones with power-of-two bounds: each bucket is merged
 * into the scale-0 bucket (2^j, 2^(j+1)] that holds it, rendered as {@code le="2^(j+1)"}. Buckets
 * of scale s &gt;= 0 nest in those exactly, so no count moves across a bound. The 0.0.4 text
 * format has no native histograms; a classic one is what every Prometheus reads.
 */
final class PrometheusSnapshots {
    private PrometheusSnapshots() {}

    static MetricSnapshots of(Collection<MetricData> collected, String scopeName) {
        MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
        for (MetricData metric : collected) {
            // The SDK's own instruments (e.g. a span processor's queue) are not nodescope's to expose.
            if (metric.getInstrumentationScopeInfo().getName().equals(scopeName)) {
                snapshots.metricSnapshot(snapshot(metric));
            }
        }
        return snapshots.build();
    }

    private static MetricSnapshot snapshot(MetricData metric) {
        return switch (metric.getType()) {
            case LONG_SUM -> metric.getLongSumData().isMonotonic() ? counter(metric) : gauge(metric, metric.getLongSumData().getPoints());
            case LONG_GAUGE -> gauge(metric, metric.getLongGaugeData().getPoints());
            case EXPONENTIAL_HISTOGRAM -> histogram(metric);
            default -> throw new IllegalStateException("no Prometheus rendering for " + metric.getType()
                    + " (" + metric.getName() + ")");
        };
    }

    private static CounterSnapshot counter(MetricData metric) {
        CounterSnapshot.Builder counter = CounterSnapshot.builder().name(metric.getName()).help(metric.getDescription());
        for (LongPointData point : metric.getLongSumData().getPoints()) {
            counter.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(labels(point.getAttributes())).value(point.getValue()).build());
        }
        return counter.build();
    }

    private static GaugeSnapshot gauge(MetricData metric, Collection<LongPointData> points) {
        GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(metric.getName()).help(metric.getDescription());
        for (LongPointData point : points) {
            gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(labels(point.getAttributes())).value(point.getValue()).build());
        }
        return gauge.build();
    }

    private static HistogramSnapshot histogram(MetricData metric) {
        HistogramSnapshot.Builder histogram = HistogramSnapshot.builder().name(metric.getName())
                .help(metric.getDescription());
        for (ExponentialHistogramPointData point : metric.getExponentialHistogramData().getPoints()) {
            histogram.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .labels(labels(point.getAttributes()))
                    .classicHistogramBuckets(powerOfTwoBuckets(point))
                    .sum(point.getSum())
                    .build());
        }
        return histogram.build();
    }

    /** Non-cumulative counts per upper bound, the last one +Inf; zeros fall in the lowest bound. */
    static ClassicHistogramBuckets powerOfTwoBuckets(ExponentialHistogramPointData point) {
        ExponentialHistogramBuckets positive = point.getPositiveBuckets();
        TreeMap<Integer, Long> countByUpperExponent = new TreeMap<>();
        List<Long> counts = positive.getBucketCounts();
        for (int k = 0; k < counts.size(); k++) {
            if (counts.get(k) > 0) {
                countByUpperExponent.merge(upperExponent(point.getScale(), positive.getOffset() + k), counts.get(k),
                        Long::sum);
            }
        }
        List<Double> bounds = new ArrayList<>();
        List<Long> bucketCounts = new ArrayList<>();
        if (!countByUpperExponent.isEmpty()) {
            int step = point.getScale() >= 0 ? 1 : 1 << -point.getScale();
            for (int e = countByUpperExponent.firstKey(); e <= countByUpperExponent.lastKey(); e += step) {
                bounds.add(Math.scalb(1.0, e));
                bucketCounts.add(countByUpperExponent.getOrDefault(e, 0L));
            }
        }
        bounds.add(Double.POSITIVE_INFINITY);
        bucketCounts.add(0L);
        bucketCounts.set(0, bucketCounts.get(0) + point.getZeroCount());
        return ClassicHistogramBuckets.of(bounds, bucketCounts);
    }

    /** The e of 2^e, the upper bound of the scale-0 (or coarser) bucket that holds bucket index i. */
    private static int upperExponent(int scale, int index) {
        return scale >= 0 ? (index >> scale) + 1 : (index + 1) << -scale;
    }

    private static Labels labels(Attributes attributes) {
        List<String> names = new ArrayList<>(attributes.size());
        List<String> values = new ArrayList<>(attributes.size());
        attributes.forEach((key, value) -> {
            names.add(key.getKey());
            values.add(String.valueOf(value));
        });
        return Labels.of(names, values);
    }
}
