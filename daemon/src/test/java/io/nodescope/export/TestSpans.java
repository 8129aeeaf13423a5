package io.nodescope.export;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Finished SpanData made by the SDK's own tracer, so the export stage sees what it sees in production. */
final class TestSpans {
    private TestSpans() {}

    /** A span whose name says which one it is: "span-" + index. */
    static SpanData numbered(int index) {
        return span("span-" + index, 1_000L * index, 1_000L * index + 1, Attributes.empty(), "", Resource.empty());
    }

    static SpanData span(String name, long startEpochNanos, long endEpochNanos, Attributes attributes,
                         String errorDescription, Resource resource) {
        AtomicReference<SpanData> ended = new AtomicReference<>();
        try (SdkTracerProvider provider = SdkTracerProvider.builder().setResource(resource)
                .addSpanProcessor(new Capture(ended)).build()) {
            Span span = provider.get("test").spanBuilder(name)
                    .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS)
                    .setAllAttributes(attributes)
                    .startSpan();
            if (!errorDescription.isEmpty()) {
                span.setStatus(StatusCode.ERROR, errorDescription);
            }
            span.end(endEpochNanos, TimeUnit.NANOSECONDS);
        }
        return ended.get();
    }

    private record Capture(AtomicReference<SpanData> ended) implements SpanProcessor {
        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {}

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            ended.set(span.toSpanData());
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }
    }
}
