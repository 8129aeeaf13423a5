package io.nodescope.span;

import io.nodescope.event.BootClock;
import io.nodescope.proc.WorkloadIdentity;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;

import java.util.List;
import java.util.Optional;

/**
 * The span service every probe module builds its spans with: one instrumentation scope, ids,
 * parents and links, kernel boot-clock times turned into epoch times, and the workload's cached
 * Resource (the OTLP marshaler groups spans by Resource identity, so each workload has one
 * object).
 */
public final class SpanFactory {
    static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.builder("io.nodescope")
            .setVersion(Optional.ofNullable(SpanFactory.class.getPackage().getImplementationVersion())
                    .orElse("dev"))
            .build();

    private final BootClock clock;
    private final WorkloadResources resources;
    private final IdGenerator ids = IdGenerator.random();

    public SpanFactory(BootClock clock, WorkloadResources resources) {
        this.clock = clock;
        this.resources = resources;
    }

    /** A kernel CLOCK_BOOTTIME timestamp as nanoseconds since the epoch. */
    public long epochNanos(long bootTimeNanos) {
        return clock.toEpochNanos(bootTimeNanos);
    }

    /** A new trace's root: events on a node start their own traces. */
    public SpanContext newTrace() {
        return SpanContext.create(ids.generateTraceId(), ids.generateSpanId(), TraceFlags.getSampled(),
                TraceState.getDefault());
    }

    /** A span in parent's trace. */
    public SpanContext childOf(SpanContext parent) {
        return SpanContext.create(parent.getTraceId(), ids.generateSpanId(), TraceFlags.getSampled(),
                TraceState.getDefault());
    }

    /**
     * A finished span.
     *
     * @param context a context from {@link #newTrace()} or {@link #childOf}
     * @param parent  the parent's context, or {@link SpanContext#getInvalid()} for a root
     */
    public SpanData span(String name, SpanContext context, SpanContext parent, StatusData status,
                         long startEpochNanos, long endEpochNanos, Attributes attributes, List<EventData> events,
                         List<LinkData> links, WorkloadIdentity workload) {
        return new NodeSpan(name, SpanKind.INTERNAL, context, status, startEpochNanos, endEpochNanos, attributes,
                events, resources.forWorkload(workload), SCOPE, parent, links);
    }
}
