/**
 * Stage 5, span: events to OpenTelemetry SpanData with semantic-convention attributes and a per-workload Resource.
 */
package io.nodescope.span;
