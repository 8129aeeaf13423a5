package io.nodescope.metrics;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Everything the daemon measures, on one OpenTelemetry {@link SdkMeterProvider}: rendered on
 * /metrics in the Prometheus text format by prometheus-metrics, and exported as OTLP metrics by
 * whatever other reader the provider was built with (see {@link Wiring}).
 *
 * <p>Names are the Prometheus names on both sides: counters end in {@code _total}, units are in
 * the name, and nothing is added or stripped on the way to /metrics. Label values a workload can
 * choose are bounded per metric; what does not fit is folded into {@link #OTHER}.
 */
public final class MetricsRegistry {
    /** The value every label takes in the series that holds what the cardinality bound left out. */
    public static final String OTHER = "__other__";
    public static final int DEFAULT_MAX_LABEL_SETS = 100;
    public static final String PROMETHEUS_CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    static final String SCOPE = "io.nodescope";
    private static final InstrumentationScopeInfo SCOPE_INFO = InstrumentationScopeInfo.create(SCOPE);
    private static final System.Logger LOG = System.getLogger("nodescope.metrics");
    // Valid both as an OpenTelemetry instrument name and as a Prometheus metric name.
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9_]{0,254}");
    // A leading "__" is reserved for Prometheus' own labels.
    private static final Pattern LABEL_NAME = Pattern.compile("(?!__)[a-zA-Z_][a-zA-Z0-9_]*");

    private record Sample(Attributes attributes, LongSupplier value) {}

    /** One name; observed samples for counters and gauges, none for histograms. */
    private record Family(String type, List<Sample> samples) {}

    private final SdkMeterProvider provider;
    private final Meter meter;
    private final Wiring wiring;
    private final Map<String, Family> families = new HashMap<>();

    /** A registry for /metrics alone, as the tests and a daemon without OTLP metrics use it. */
    public MetricsRegistry() {
        this(new Wiring(DEFAULT_MAX_LABEL_SETS));
    }

    private MetricsRegistry(Wiring wiring) {
        this(wiring.customize(SdkMeterProvider.builder()).build(), wiring);
    }

    private MetricsRegistry(SdkMeterProvider provider, Wiring wiring) {
        this.provider = provider;
        this.meter = provider.get(SCOPE);
        this.wiring = wiring;
    }

    /**
     * What the registry adds to a {@link SdkMeterProviderBuilder} that someone else builds (the
     * SDK's autoconfiguration, with the OTLP reader and the node's Resource): the /metrics
     * reader, the producer of kernel-aggregated histograms and exponential aggregation for
     * nodescope's histograms. Then {@link #registry} wraps the built provider.
     */
    public static final class Wiring {
        private final ScrapeReader scrape = new ScrapeReader();
        private final List<KernelHistogram> kernelHistograms = new CopyOnWriteArrayList<>();
        private final int maxLabelSets;

        /** @param maxLabelSets label sets per histogram beyond which values go under {@link #OTHER} */
        public Wiring(int maxLabelSets) {
            if (maxLabelSets < 1) {
                throw new IllegalArgumentException("the label set bound must be positive: " + maxLabelSets);
            }
            this.maxLabelSets = maxLabelSets;
        }

        public SdkMeterProviderBuilder customize(SdkMeterProviderBuilder builder) {
            return builder.registerMetricReader(scrape)
                    .registerMetricProducer(this::produceKernelHistograms)
                    .registerView(InstrumentSelector.builder().setMeterName(SCOPE).setType(InstrumentType.HISTOGRAM)
                                    .build(),
                            View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram()).build());
        }

        public MetricsRegistry registry(SdkMeterProvider provider) {
            return new MetricsRegistry(provider, this);
        }

        private Collection<MetricData> produceKernelHistograms(Resource resource) {
            long now = Clock.getDefault().now();
            List<MetricData> produced = new ArrayList<>(kernelHistograms.size());
            for (KernelHistogram histogram : kernelHistograms) {
                try {
                    produced.add(histogram.collect(resource, SCOPE_INFO, now));
                } catch (RuntimeException e) {
                    // One module's unreadable map must not cost the others their export.
                    LOG.log(System.Logger.Level.WARNING, "metric {0} left out: {1}", histogram.name(), e.toString());
                }
            }
            return produced;
        }
    }

    /** A monotonically increasing count; the same name with other labels joins one family. */
    public Counter counter(String name, String help, String... labelPairs) {
        Counter counter = new Counter();
        observe(name, help, "counter", labelPairs, counter::get);
        return counter;
    }

    /** A counter whose value lives elsewhere (a kernel map, a library's own count). */
    public void counterFrom(String name, String help, LongSupplier value, String... labelPairs) {
        observe(name, help, "counter", labelPairs, value);
    }

    /** A value that can go up and down, read when collected. */
    public void gauge(String name, String help, LongSupplier value, String... labelPairs) {
        observe(name, help, "gauge", labelPairs, value);
    }

    /**
     * A distribution recorded in user space, exported as an exponential histogram and rendered
     * on /metrics with power-of-two buckets.
     *
     * @param name       carries the unit the Prometheus way, e.g. {@code nodescope_lock_wait_nanoseconds}
     * @param unit       the OpenTelemetry (UCUM) unit, e.g. {@code ns}
     * @param labelNames at most {@link Wiring#Wiring(int) the bound} distinct value sets keep their own series
     */
    public BoundedHistogram histogram(String name, String help, String unit, String... labelNames) {
        checkLabelNames(name, List.of(labelNames));
        Objects.requireNonNull(unit, "unit");
        declare(name, help, "histogram");
        Counter folded = counter("nodescope_metric_folded_recordings_total",
                "Recordings put under __other__ because their metric had too many label sets", "metric", name);
        return new BoundedHistogram(name, List.of(labelNames),
                meter.histogramBuilder(name).setDescription(help).setUnit(unit).ofLongs().build(),
                wiring.maxLabelSets, folded);
    }

    /**
     * A histogram a BPF program aggregates in log2 slots, read from {@code points} at every
     * collection (each scrape and each OTLP export) and exported as an exponential histogram of
     * scale 0 (see {@link Log2HistogramPoint} for the slot convention). The label sets with the
     * largest counts keep their series, up to the bound; the rest are summed under {@link #OTHER}.
     */
    public void kernelHistogram(String name, String help, String unit, List<String> labelNames,
                                Supplier<? extends Collection<Log2HistogramPoint>> points) {
        checkLabelNames(name, labelNames);
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(points, "points");
        declare(name, help, "histogram");
        KernelHistogram histogram = new KernelHistogram(name, help, unit, labelNames, points, wiring.maxLabelSets,
                Clock.getDefault().now());
        gauge("nodescope_metric_folded_label_sets",
                "Label sets of a kernel histogram put under __other__ at its latest collection",
                histogram::foldedLabelSets, "metric", name);
        wiring.kernelHistograms.add(histogram);
    }

    private synchronized void observe(String name, String help, String type, String[] labelPairs,
                                      LongSupplier value) {
        Objects.requireNonNull(help, "help");
        if (labelPairs.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs: " + name);
        }
        List<String> labelNames = new ArrayList<>();
        AttributesBuilder attributes = Attributes.builder();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labelNames.add(labelPairs[i]);
            attributes.put(labelPairs[i], Objects.requireNonNull(labelPairs[i + 1], labelPairs[i]));
        }
        checkLabelNames(name, labelNames);
        Sample sample = new Sample(attributes.build(), value);
        Family family = families.get(name);
        if (family == null) {
            family = declare(name, help, type);
        } else if (!family.type().equals(type)) {
            throw new IllegalArgumentException(name + " is already a " + family.type());
        }
        if (family.samples().stream().anyMatch(s -> s.attributes().equals(sample.attributes()))) {
            throw new IllegalArgumentException("duplicate metric " + name + sample.attributes());
        }
        family.samples().add(sample);
    }

    /** Checked before anything is registered: one bad registration must not break every collection. */
    private synchronized Family declare(String name, String help, String type) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid metric name: " + name);
        }
        Objects.requireNonNull(help, "help");
        if (families.containsKey(name)) {
            throw new IllegalArgumentException(name + " is already registered as a " + families.get(name).type());
        }
        Family family = new Family(type, new CopyOnWriteArrayList<>());
        families.put(name, family);
        switch (type) {
            case "counter" -> meter.counterBuilder(name).setDescription(help)
                    .buildWithCallback(measurement -> observeAll(family, measurement));
            case "gauge" -> meter.gaugeBuilder(name).setDescription(help).ofLongs()
                    .buildWithCallback(measurement -> observeAll(family, measurement));
            default -> { } // histograms record or produce their own points
        }
        return family;
    }

    private static void observeAll(Family family, ObservableLongMeasurement measurement) {
        for (Sample sample : family.samples()) {
            measurement.record(sample.value().getAsLong(), sample.attributes());
        }
    }

    private static void checkLabelNames(String metric, List<String> labelNames) {
        if (new HashSet<>(labelNames).size() != labelNames.size()) {
            throw new IllegalArgumentException("a label given twice on " + metric + ": " + labelNames);
        }
        for (String labelName : labelNames) {
            if (!LABEL_NAME.matcher(labelName).matches()) {
                throw new IllegalArgumentException("invalid label name " + labelName + " on " + metric);
            }
        }
    }

    /** Collects now and renders every metric in the Prometheus text format (version 0.0.4). */
    public String renderPrometheusText() {
        ByteArrayOutputStream text = new ByteArrayOutputStream(4096);
        try {
            PrometheusTextFormatWriter.create().write(text,
                    PrometheusSnapshots.of(wiring.scrape.collect(), SCOPE), EscapingScheme.ALLOW_UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return text.toString(StandardCharsets.UTF_8);
    }

    /** Exports what is left (the final OTLP collection) and stops every reader, within the timeout. */
    public void shutdown(Duration timeout) {
        CompletableResultCode done = provider.shutdown().join(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (!done.isSuccess()) {
            LOG.log(System.Logger.Level.WARNING, "metrics not flushed within {0}: the last OTLP export may be lost",
                    timeout);
        }
    }
}
