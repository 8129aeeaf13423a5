package io.nodescope.export;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;

/**
 * The terminal output of someone running nodescope under sudo: one block per span, a headline
 * with the time and the status line, then every attribute, sorted, one per line.
 */
public final class ConsoleSpanExporter implements SpanExporter {
    private final PrintStream out;

    public ConsoleSpanExporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        StringBuilder text = new StringBuilder();
        for (SpanData span : spans) {
            format(span, text);
        }
        synchronized (out) {
            out.print(text);
            out.flush();
        }
        return out.checkError() ? CompletableResultCode.ofFailure() : CompletableResultCode.ofSuccess();
    }

    static void format(SpanData span, StringBuilder text) {
        double durationMillis = (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1e6;
        text.append(Instant.EPOCH.plusNanos(span.getStartEpochNanos())).append("  ")
                .append(span.getName().toUpperCase(Locale.ROOT))
                .append(String.format(Locale.ROOT, "  (%.1f ms)", durationMillis)).append('\n');
        if (!span.getStatus().getDescription().isEmpty()) {
            text.append("  ").append(span.getStatus().getDescription()).append('\n');
        }
        appendAttributes(span.getAttributes(), text);
        Attributes workload = span.getResource().getAttributes();
        workload.forEach((key, value) -> {
            if (key.getKey().startsWith("nodescope.") || key.getKey().startsWith("k8s.")
                    || key.getKey().startsWith("container.")) {
                text.append("    ").append(key.getKey()).append(" = ").append(value).append('\n');
            }
        });
        text.append("    trace_id = ").append(span.getTraceId()).append('\n').append('\n');
    }

    private static void appendAttributes(Attributes attributes, StringBuilder text) {
        attributes.asMap().entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<AttributeKey<?>, Object> entry) -> entry.getKey().getKey()))
                .forEach(entry -> text.append("    ").append(entry.getKey().getKey()).append(" = ")
                        .append(entry.getValue()).append('\n'));
    }

    @Override
    public CompletableResultCode flush() {
        out.flush();
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return flush();
    }
}
