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
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The terminal output of someone running nodescope under sudo: one block per span, a headline
 * with the time and the status line, then the attributes, sorted, one per line (a list, such as
 * a stack, one element per line).
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
                .filter(entry -> !repeatsAnother(entry.getKey().getKey()))
                .sorted(Comparator.comparing((Map.Entry<AttributeKey<?>, Object> entry) -> entry.getKey().getKey()))
                .forEach(entry -> {
                    text.append("    ").append(entry.getKey().getKey()).append(" =");
                    if (entry.getValue() instanceof List<?> values) {
                        // Stacks: one frame per line reads like a stack trace.
                        values.forEach(value -> text.append("\n        ").append(value));
                        text.append('\n');
                    } else {
                        text.append(' ').append(entry.getValue()).append('\n');
                    }
                });
    }

    /**
     * Attributes a person reading the terminal already sees in another form: the stack trace text
     * is the stack arrays joined, and raw addresses are for tools (the frames show module+offset).
     */
    private static boolean repeatsAnother(String key) {
        return key.equals("code.stacktrace") || key.endsWith(".addresses");
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
