package io.nodescope.event;

/**
 * Something the kernel reported about the node, decoded and immutable. Each probe module defines
 * its own event records in its package; not sealed, since a sealed interface cannot be
 * implemented from other packages.
 */
public interface NodeEvent {
    /** When it happened, on CLOCK_BOOTTIME (bpf_ktime_get_boot_ns), in nanoseconds. */
    long bootTimeNanos();
}
