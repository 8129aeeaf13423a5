package io.nodescope.daemon;

import io.nodescope.export.ConsoleSpanExporter;
import io.nodescope.export.ExportSetup;
import io.nodescope.export.SpanExportQueue;
import io.nodescope.metrics.MetricsRegistry;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Every span goes to each configured output through that output's own queue. */
final class SpanOutputs implements Consumer<SpanData> {
    private final List<SpanExportQueue> queues;
    private final List<String> names;

    private SpanOutputs(List<SpanExportQueue> queues, List<String> names) {
        this.queues = List.copyOf(queues);
        this.names = List.copyOf(names);
    }

    static SpanOutputs create(ExportSetup setup, boolean console, PrintStream consoleStream, MetricsRegistry metrics) {
        List<SpanExportQueue> queues = new ArrayList<>();
        List<String> names = new ArrayList<>();
        setup.otlpExporter().ifPresent(exporter -> {
            queues.add(new SpanExportQueue("otlp", exporter, setup.settings(), metrics));
            names.add("OTLP " + setup.endpointDescription());
        });
        if (console) {
            queues.add(new SpanExportQueue("console", new ConsoleSpanExporter(consoleStream), setup.settings(),
                    metrics));
            names.add("console");
        }
        return new SpanOutputs(queues, names);
    }

    String describe() {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    @Override
    public void accept(SpanData span) {
        for (SpanExportQueue queue : queues) {
            queue.accept(span);
        }
    }

    /** The outputs flush in parallel, so one slow collector can't eat another output's time. */
    void shutdown(Duration timeout) {
        List<Thread> closers = queues.stream()
                .map(queue -> Thread.ofPlatform().name("nodescope-export-shutdown").start(() -> queue.shutdown(timeout)))
                .toList();
        for (Thread closer : closers) {
            try {
                closer.join(timeout.toMillis() + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
