/**
 * The daemon's own counters and gauges, rendered in the Prometheus text format by the server package.
 */
package io.nodescope.metrics;
