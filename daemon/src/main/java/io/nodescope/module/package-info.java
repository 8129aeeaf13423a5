/**
 * Probe modules: one event class each (OOM kills, process exits, ...), with its BPF object, ring,
 * attach plan, record formats, recording codecs and the work it does with its events, and the
 * services every module gets (stacks, workload identity, spans, metrics, a bounded report worker).
 * docs/ARCHITECTURE.md says what a new module needs.
 */
package io.nodescope.module;
