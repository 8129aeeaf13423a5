package io.nodescope.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The daemon's counters and gauges. Stages register what they count at construction; the server
 * renders a snapshot in the Prometheus text exposition format (version 0.0.4).
 */
public final class MetricsRegistry {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    // Colons are for metric names only; a leading "__" is reserved for Prometheus' own labels.
    private static final Pattern LABEL_NAME = Pattern.compile("(?!__)[a-zA-Z_][a-zA-Z0-9_]*");

    private record Sample(Map<String, String> labels, LongSupplier value) {}

    private record Family(String name, String help, String type, List<Sample> samples) {}

    private final Map<String, Family> families = new TreeMap<>();

    /** A monotonically increasing count; the same name with other labels joins one family. */
    public Counter counter(String name, String help, String... labelPairs) {
        Counter counter = new Counter();
        register(name, help, "counter", labelPairs, counter::get);
        return counter;
    }

    /** A counter whose value lives elsewhere (a kernel map, a library's own count). */
    public void counterFrom(String name, String help, LongSupplier value, String... labelPairs) {
        register(name, help, "counter", labelPairs, value);
    }

    /** A value that can go up and down, read when rendered. */
    public void gauge(String name, String help, LongSupplier value, String... labelPairs) {
        register(name, help, "gauge", labelPairs, value);
    }

    private synchronized void register(String name, String help, String type, String[] labelPairs,
                                       LongSupplier value) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid metric name: " + name);
        }
        if (labelPairs.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs: " + name);
        }
        // Checked here rather than at render time: one bad registration must not break every scrape.
        Objects.requireNonNull(help, "help");
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            String labelName = labelPairs[i];
            if (!LABEL_NAME.matcher(labelName).matches()) {
                throw new IllegalArgumentException("invalid label name " + labelName + " on " + name);
            }
            String labelValue = Objects.requireNonNull(labelPairs[i + 1], labelName);
            if (labels.put(labelName, labelValue) != null) {
                throw new IllegalArgumentException("label " + labelName + " given twice on " + name);
            }
        }
        Family family = families.computeIfAbsent(name,
                n -> new Family(n, help, type, new CopyOnWriteArrayList<>()));
        if (!family.type().equals(type)) {
            throw new IllegalArgumentException(name + " is already a " + family.type());
        }
        if (family.samples().stream().anyMatch(s -> s.labels().equals(labels))) {
            throw new IllegalArgumentException("duplicate metric " + name + labels);
        }
        family.samples().add(new Sample(Map.copyOf(labels), value));
    }

    /** Renders every family in the Prometheus text format. */
    public String renderPrometheusText() {
        List<Family> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>(families.values());
        }
        StringBuilder out = new StringBuilder(4096);
        for (Family family : snapshot) {
            out.append("# HELP ").append(family.name()).append(' ').append(escapeHelp(family.help())).append('\n');
            out.append("# TYPE ").append(family.name()).append(' ').append(family.type()).append('\n');
            for (Sample sample : family.samples()) {
                out.append(family.name());
                if (!sample.labels().isEmpty()) {
                    out.append('{');
                    String separator = "";
                    for (Map.Entry<String, String> label : new TreeMap<>(sample.labels()).entrySet()) {
                        out.append(separator).append(label.getKey()).append("=\"")
                                .append(escapeLabel(label.getValue())).append('"');
                        separator = ",";
                    }
                    out.append('}');
                }
                out.append(' ').append(sample.value().getAsLong()).append('\n');
            }
        }
        return out.toString();
    }

    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String escapeLabel(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
