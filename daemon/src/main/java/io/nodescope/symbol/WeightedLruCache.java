package io.nodescope.symbol;

import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * A least-recently-used map bounded by the summed weight (estimated heap bytes) of its values, not by
 * their count: one libjvm.so index weighs as much as a thousand small libraries. Counts hits, misses
 * and evictions under the given cache label.
 */
final class WeightedLruCache<K, V> {
    private final long maxWeight;
    private final ToLongFunction<V> weigher;
    private final LinkedHashMap<K, V> entries = new LinkedHashMap<>(64, 0.75f, true);
    private final Counter hits;
    private final Counter misses;
    private final Counter evictions;
    private long weight;

    WeightedLruCache(String cacheName, long maxWeight, ToLongFunction<V> weigher, MetricsRegistry metrics) {
        this.maxWeight = maxWeight;
        this.weigher = weigher;
        this.hits = metrics.counter("nodescope_symbol_cache_hits_total", "Symbolizer cache lookups that hit",
                "cache", cacheName);
        this.misses = metrics.counter("nodescope_symbol_cache_misses_total", "Symbolizer cache lookups that missed",
                "cache", cacheName);
        this.evictions = metrics.counter("nodescope_symbol_cache_evictions_total",
                "Symbolizer cache entries dropped to stay within the memory bound", "cache", cacheName);
        metrics.gauge("nodescope_symbol_cache_bytes", "Estimated heap held by a symbolizer cache",
                this::weight, "cache", cacheName);
    }

    synchronized Optional<V> get(K key) {
        V value = entries.get(key);
        (value == null ? misses : hits).increment();
        return Optional.ofNullable(value);
    }

    /** Adds the entry, then evicts the least recently used ones until the bound holds again. */
    synchronized void put(K key, V value) {
        V previous = entries.put(key, value);
        if (previous != null) {
            weight -= weigher.applyAsLong(previous);
        }
        weight += weigher.applyAsLong(value);
        var oldest = entries.entrySet().iterator();
        // The entry just added stays even when it alone is over the bound: its caller is about to use it.
        while (weight > maxWeight && entries.size() > 1) {
            Map.Entry<K, V> evicted = oldest.next();
            weight -= weigher.applyAsLong(evicted.getValue());
            oldest.remove();
            evictions.increment();
        }
    }

    synchronized long weight() {
        return weight;
    }

    synchronized int size() {
        return entries.size();
    }
}
