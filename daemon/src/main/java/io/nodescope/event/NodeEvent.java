package io.nodescope.event;

/** Something the kernel reported about the node, decoded and immutable. */
public sealed interface NodeEvent permits OomKill, ProcessExit {
    /** When it happened, on CLOCK_BOOTTIME (bpf_ktime_get_boot_ns), in nanoseconds. */
    long bootTimeNanos();
}
