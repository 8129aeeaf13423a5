package io.nodescope.module;

import io.nodescope.config.ModuleSettings;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.span.SpanFactory;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the daemon gives every module it starts.
 *
 * @param settings the module settings (each module reads its own)
 * @param spans    builds spans (ids, times, the workload's Resource)
 * @param outputs  where finished spans go (OTLP, console), through bounded queues
 * @param live     the running node; empty in a replay, where the recording's processes, cgroups
 *                 and binaries are not this machine's: nothing is enriched or named
 */
public record ModuleServices(ModuleSettings settings, MetricsRegistry metrics, SpanFactory spans,
                             Consumer<SpanData> outputs, Optional<LiveNode> live) {
}
