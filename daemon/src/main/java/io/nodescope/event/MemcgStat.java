package io.nodescope.event;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A memory cgroup's memory.stat breakdown at the moment of an event, hierarchical (the cgroup and
 * its descendants), as the kernel's OOM report prints it: bytes, except the event counts
 * ({@link MemcgStatItem#isBytes()}).
 *
 * @param memcgId kernfs id of the cgroup the counters belong to
 * @param values  every {@link MemcgStatItem}
 */
public record MemcgStat(long memcgId, Map<MemcgStatItem, Long> values) {
    public MemcgStat {
        Objects.requireNonNull(values, "values");
        EnumMap<MemcgStatItem, Long> copy = new EnumMap<>(MemcgStatItem.class);
        copy.putAll(values);
        if (copy.size() != MemcgStatItem.values().length) {
            throw new IllegalArgumentException("a memcg stat needs every item, got " + copy.keySet());
        }
        values = Collections.unmodifiableMap(copy);
    }

    public long get(MemcgStatItem item) {
        return values.get(item);
    }

    /**
     * What the kubelet calls the working set and evicts on: usage minus inactive file pages (the
     * page cache the kernel would drop first), never below zero.
     */
    public long workingSetBytes(long usageBytes) {
        return Math.max(0, usageBytes - get(MemcgStatItem.INACTIVE_FILE));
    }
}
