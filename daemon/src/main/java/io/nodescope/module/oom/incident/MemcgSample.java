package io.nodescope.module.oom.incident;

/**
 * One memory cgroup's counters at one moment, from its files or (the kill itself) from the kernel.
 *
 * @param bootTimeNanos     when, CLOCK_BOOTTIME
 * @param usageBytes        memory.usage_in_bytes (v1) / memory.current (v2)
 * @param limitBytes        memory.limit_in_bytes / memory.max
 * @param anonBytes         memory.stat anon (v1 total_rss)
 * @param fileBytes         memory.stat file (v1 total_cache)
 * @param shmemBytes        memory.stat shmem
 * @param inactiveFileBytes memory.stat inactive_file: what reclaim drops first
 * @param kernelBytes       memory.stat kernel (v2; 0 on v1, whose memory.stat has no such line)
 * @param limitHits         v1 memory.failcnt / v2 memory.events "max": charges that hit the limit
 *                          and had to reclaim
 * <p>Far below its limit a cgroup is mostly sampled for its usage alone (memory.stat is the costly
 * file), near it for usage and limit hits with the breakdown every few samples: what was not
 * read is {@link #NOT_READ}.
 */
public record MemcgSample(long bootTimeNanos, long usageBytes, long limitBytes, long anonBytes, long fileBytes,
                          long shmemBytes, long inactiveFileBytes, long kernelBytes, long limitHits) {
    public static final long NOT_READ = -1;

    /** @param limitHits {@link #NOT_READ} when not read either */
    static MemcgSample withoutBreakdown(long bootTimeNanos, long usageBytes, long limitBytes, long limitHits) {
        return new MemcgSample(bootTimeNanos, usageBytes, limitBytes, NOT_READ, NOT_READ, NOT_READ, NOT_READ, NOT_READ,
                limitHits);
    }

    public boolean hasBreakdown() {
        return anonBytes != NOT_READ;
    }

    /** Share of the limit in use, 0..1 (and above, briefly, on v1 with memsw). */
    public double usedFraction() {
        return limitBytes > 0 ? (double) usageBytes / limitBytes : 0;
    }

    /** The part of the memory that grows: {@link Component}. */
    public long bytes(Component component) {
        return switch (component) {
            case ANON -> anonBytes;
            case FILE -> fileBytes;
            case SHMEM -> shmemBytes;
            case KERNEL -> kernelBytes;
        };
    }

    /** What a cgroup's memory is made of, as the verdict names it. */
    public enum Component {
        ANON("anon"), FILE("page cache"), SHMEM("shmem"), KERNEL("kernel");

        private final String label;

        Component(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
