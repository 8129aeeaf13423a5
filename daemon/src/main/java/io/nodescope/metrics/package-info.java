/**
 * Everything the daemon measures, on one OpenTelemetry MeterProvider: counters, gauges and
 * histograms with bounded label sets, including histograms the kernel aggregates in log2 slots;
 * rendered on /metrics through prometheus-metrics and exported as OTLP metrics.
 */
package io.nodescope.metrics;
