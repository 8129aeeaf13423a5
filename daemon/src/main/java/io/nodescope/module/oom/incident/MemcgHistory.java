package io.nodescope.module.oom.incident;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last {@code window} of samples of every sampled memory cgroup, by memcg id. Bounded twice:
 * a cgroup keeps only its window (so at most window / dense interval samples), and all together
 * keep at most {@code maxSamples}; past that, the cgroup whose history was touched longest ago
 * goes first (near-limit cgroups are sampled every second, idle ones rarely, so idle ones go).
 * Thread-safe: the sampler writes, OOM kill arrivals read.
 */
public final class MemcgHistory {
    /** What one sample costs on the heap, about: object header, nine longs, the deque's slot. */
    public static final int SAMPLE_BYTES = 96;

    private final long windowNanos;
    private final int maxSamples;
    private final LinkedHashMap<Long, ArrayDeque<MemcgSample>> byMemcg = new LinkedHashMap<>(64, 0.75f, true);
    private int samples;

    public MemcgHistory(long windowNanos, int maxSamples) {
        if (windowNanos <= 0 || maxSamples <= 0) {
            throw new IllegalArgumentException("window and sample budget must be positive");
        }
        this.windowNanos = windowNanos;
        this.maxSamples = maxSamples;
    }

    public synchronized void record(long memcgId, MemcgSample sample) {
        ArrayDeque<MemcgSample> series = byMemcg.computeIfAbsent(memcgId, id -> new ArrayDeque<>());
        series.addLast(sample);
        samples++;
        long oldestKept = sample.bootTimeNanos() - windowNanos;
        while (series.peekFirst().bootTimeNanos() < oldestKept) {
            series.pollFirst();
            samples--;
        }
        while (samples > maxSamples) {
            Map.Entry<Long, ArrayDeque<MemcgSample>> eldest = byMemcg.entrySet().iterator().next();
            if (eldest.getKey() == memcgId) {
                // Only this cgroup is left to give up samples: its oldest.
                series.pollFirst();
                samples--;
            } else {
                samples -= eldest.getValue().size();
                byMemcg.remove(eldest.getKey());
            }
        }
    }

    /** The samples of the window that ends at untilBootNanos, oldest first; empty if none. */
    public synchronized List<MemcgSample> window(long memcgId, long untilBootNanos) {
        ArrayDeque<MemcgSample> series = byMemcg.get(memcgId);
        if (series == null) {
            return List.of();
        }
        long from = untilBootNanos - windowNanos;
        return series.stream()
                .filter(sample -> sample.bootTimeNanos() >= from && sample.bootTimeNanos() <= untilBootNanos)
                .toList();
    }

    /** Drops the cgroups sampled last before bootNanos: removed, or no longer limited. */
    public synchronized void forgetSampledBefore(long bootNanos) {
        Iterator<ArrayDeque<MemcgSample>> series = byMemcg.values().iterator();
        while (series.hasNext()) {
            ArrayDeque<MemcgSample> one = series.next();
            if (one.peekLast().bootTimeNanos() < bootNanos) {
                samples -= one.size();
                series.remove();
            }
        }
    }

    public synchronized int cgroups() {
        return byMemcg.size();
    }

    public synchronized int samples() {
        return samples;
    }
}
