package io.nodescope.span;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;

import java.util.List;

/**
 * A finished span built from kernel events rather than recorded by a tracer. The SDK's exporters
 * take any SpanData; the Resource must be the cached per-workload instance because the OTLP
 * marshaler groups spans by Resource identity.
 */
record NodeSpan(String getName, SpanKind getKind, SpanContext getSpanContext, StatusData getStatus,
                long getStartEpochNanos, long getEndEpochNanos, Attributes getAttributes,
                List<EventData> getEvents, Resource getResource,
                InstrumentationScopeInfo getInstrumentationScopeInfo, SpanContext getParentSpanContext,
                List<LinkData> getLinks) implements SpanData {

    NodeSpan {
        getEvents = List.copyOf(getEvents);
        getLinks = List.copyOf(getLinks);
    }

    @Override
    public boolean hasEnded() {
        return true;
    }

    @Override
    public int getTotalRecordedEvents() {
        return getEvents.size();
    }

    @Override
    public int getTotalRecordedLinks() {
        return getLinks.size();
    }

    @Override
    public int getTotalAttributeCount() {
        return getAttributes.size();
    }

    /** Still abstract in SpanData; derived from the scope so the two cannot disagree. */
    @Override
    @SuppressWarnings("deprecation")
    public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
        return InstrumentationLibraryInfo.create(getInstrumentationScopeInfo.getName(),
                getInstrumentationScopeInfo.getVersion(), getInstrumentationScopeInfo.getSchemaUrl());
    }
}
