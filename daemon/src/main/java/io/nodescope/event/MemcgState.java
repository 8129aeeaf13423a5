package io.nodescope.event;

import java.util.OptionalLong;

/**
 * One memory cgroup's counters as read in the kernel at the moment of an event.
 *
 * @param id               kernfs id (inode of the cgroup directory)
 * @param usageBytes       memory.usage_in_bytes (v1) / memory.current (v2)
 * @param limitBytes       memory.limit_in_bytes / memory.max; {@link #UNLIMITED} when none
 * @param failcnt          memory.failcnt: charges that hit the limit (v1; 0 on v2)
 * @param oomEvents        memory.events "oom": times the OOM killer ran for this memcg
 * @param oomKillEvents    memory.events "oom_kill" (on 6.18 it already counts the kill being reported)
 * @param memswUsageBytes  v1 memory+swap usage (on v2 the same kernel counter is swap only)
 * @param memswLimitBytes  v1 memory+swap limit; {@link #UNLIMITED} when none
 */
public record MemcgState(long id, long usageBytes, long limitBytes, long failcnt, long oomEvents,
                         long oomKillEvents, long memswUsageBytes, long memswLimitBytes) {
    public static final long UNLIMITED = -1;

    public OptionalLong limit() {
        return limitBytes == UNLIMITED ? OptionalLong.empty() : OptionalLong.of(limitBytes);
    }
}
