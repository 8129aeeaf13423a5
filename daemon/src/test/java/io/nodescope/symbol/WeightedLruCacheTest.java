package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.metrics.MetricsRegistry;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WeightedLruCacheTest {
    private final MetricsRegistry metrics = new MetricsRegistry();
    private final WeightedLruCache<String, Long> cache = new WeightedLruCache<>("test", 100, Long::longValue, metrics);

    @Test
    void evictsTheLeastRecentlyUsedUntilTheWeightFits() {
        cache.put("a", 40L);
        cache.put("b", 40L);
        cache.get("a"); // b is now the least recently used
        cache.put("c", 40L);
        assertEquals(Optional.empty(), cache.get("b"));
        assertEquals(Optional.of(40L), cache.get("a"));
        assertEquals(80, cache.weight());
        String text = metrics.renderPrometheusText();
        assertTrue(text.contains("nodescope_symbol_cache_hits_total{cache=\"test\"} 2.0"), text);
        assertTrue(text.contains("nodescope_symbol_cache_misses_total{cache=\"test\"} 1.0"), text);
        assertTrue(text.contains("nodescope_symbol_cache_evictions_total{cache=\"test\"} 1.0"), text);
    }

    @Test
    void keepsAnEntryHeavierThanTheWholeBoundUntilTheNextPut() {
        cache.put("small", 10L);
        cache.put("huge", 500L);
        assertEquals(1, cache.size());
        assertEquals(Optional.of(500L), cache.get("huge"));
        cache.put("next", 10L);
        assertEquals(Optional.empty(), cache.get("huge"));
    }
}
