package io.nodescope.metrics;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.LongHistogram;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records values under label values a workload chooses (pod, container, ...), keeping at most
 * {@code maxLabelSets} of them: the first ones seen keep their own series, and every later one is
 * recorded under {@link MetricsRegistry#OTHER} in every label and counted in
 * {@code nodescope_metric_folded_recordings_total{metric}}.
 *
 * <p>A label set keeps its place for the daemon's life: the SDK keeps cumulative series forever
 * too, so forgetting one would not free its memory, only make its series jump.
 */
public final class BoundedHistogram {
    private final String name;
    private final List<String> labelNames;
    private final LongHistogram histogram;
    private final int maxLabelSets;
    private final Counter folded;
    private final Attributes other;
    private final Map<List<String>, Attributes> admitted = new ConcurrentHashMap<>();

    BoundedHistogram(String name, List<String> labelNames, LongHistogram histogram, int maxLabelSets, Counter folded) {
        this.name = name;
        this.labelNames = List.copyOf(labelNames);
        this.histogram = histogram;
        this.maxLabelSets = maxLabelSets;
        this.folded = folded;
        this.other = attributes(labelNames.stream().map(n -> MetricsRegistry.OTHER).toList());
    }

    /**
     * @param value       not negative (durations, sizes)
     * @param labelValues one per label name, in the order the histogram was registered with
     */
    public void record(long value, String... labelValues) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " records no negative values: " + value);
        }
        if (labelValues.length != labelNames.size()) {
            throw new IllegalArgumentException(name + " has labels " + labelNames + ", got "
                    + Arrays.toString(labelValues));
        }
        histogram.record(value, attributesOf(List.of(labelValues)));
    }

    private Attributes attributesOf(List<String> labelValues) {
        Attributes known = admitted.get(labelValues);
        if (known != null) {
            return known;
        }
        synchronized (admitted) {
            Attributes admittedMeanwhile = admitted.get(labelValues);
            if (admittedMeanwhile != null) {
                return admittedMeanwhile;
            }
            if (admitted.size() < maxLabelSets) {
                Attributes attributes = attributes(labelValues);
                admitted.put(labelValues, attributes);
                return attributes;
            }
        }
        folded.increment();
        return other;
    }

    private Attributes attributes(List<String> labelValues) {
        AttributesBuilder attributes = Attributes.builder();
        for (int i = 0; i < labelNames.size(); i++) {
            attributes.put(labelNames.get(i), labelValues.get(i));
        }
        return attributes.build();
    }
}
