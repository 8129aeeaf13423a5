package io.nodescope.module.oom.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The history's two bounds (its window, the sample budget) and what goes first. */
class MemcgHistoryTest {
    private static final long SECOND = 1_000_000_000L;

    private static MemcgSample at(long seconds) {
        return new MemcgSample(seconds * SECOND, seconds, 100, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void aCgroupKeepsOnlyItsWindow() {
        MemcgHistory history = new MemcgHistory(60 * SECOND, 1000);
        for (long s = 0; s <= 300; s++) {
            history.record(7, at(s));
        }

        List<MemcgSample> window = history.window(7, 300 * SECOND);
        assertEquals(61, window.size());
        assertEquals(240 * SECOND, window.getFirst().bootTimeNanos());
        assertEquals(61, history.samples());
    }

    @Test
    void theWindowEndsWhereAsked() {
        MemcgHistory history = new MemcgHistory(60 * SECOND, 1000);
        for (long s = 0; s <= 100; s++) {
            history.record(7, at(s));
        }

        // The window kept runs 40..100 s; the one asked for ends at 50 s.
        List<MemcgSample> window = history.window(7, 50 * SECOND);
        assertEquals(11, window.size());
        assertEquals(at(50), window.getLast());
    }

    @Test
    void pastTheBudgetTheCgroupTouchedLongestAgoGoes() {
        MemcgHistory history = new MemcgHistory(600 * SECOND, 10);
        for (long s = 0; s < 4; s++) {
            history.record(1, at(s)); // idle: sampled early, then no more
        }
        for (long s = 0; s < 4; s++) {
            history.record(2, at(s));
        }
        history.window(1, 10 * SECOND); // an OOM arrival reading cgroup 1 makes it recent
        for (long s = 4; s < 7; s++) {
            history.record(3, at(s)); // 4 + 4 + 3 = 11 > 10: cgroup 2 goes, not 1
        }

        assertEquals(List.of(), history.window(2, 10 * SECOND));
        assertEquals(4, history.window(1, 10 * SECOND).size());
        assertEquals(7, history.samples());
        assertEquals(2, history.cgroups());
    }

    @Test
    void oneCgroupAloneOverTheBudgetLosesItsOldestSamples() {
        MemcgHistory history = new MemcgHistory(600 * SECOND, 5);
        for (long s = 0; s < 8; s++) {
            history.record(1, at(s));
        }

        assertEquals(List.of(at(3), at(4), at(5), at(6), at(7)), history.window(1, 10 * SECOND));
    }

    @Test
    void cgroupsSampledLastBeforeATimeAreForgotten() {
        MemcgHistory history = new MemcgHistory(600 * SECOND, 100);
        history.record(1, at(10));
        history.record(2, at(50));

        history.forgetSampledBefore(20 * SECOND);

        assertEquals(1, history.cgroups());
        assertEquals(1, history.samples());
        assertEquals(List.of(), history.window(1, 60 * SECOND));
    }

    @Test
    void aZeroBudgetIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MemcgHistory(SECOND, 0));
    }
}
