package io.nodescope.module.oom.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.proc.LiveBootClock;
import io.nodescope.testing.MemoryCgroup;
import io.nodescope.testing.MemoryHierarchy;
import io.nodescope.testing.OomAllocBinary;
import io.nodescope.testing.ProcessOutput;
import io.nodescope.testing.RequiresMemoryCgroup;
import io.nodescope.testing.RequiresRoot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The sampler on real memory cgroups (the whole hierarchy is walked; only this test's cgroups are
 * looked at), its clock stepped by hand so the schedule is exact: a cgroup near its limit every
 * second, an idle one every interval, a removed one forgotten once past the window.
 */
@RequiresRoot("creates memory cgroups")
@RequiresMemoryCgroup("samples real memory cgroups")
class MemcgSamplerIT {
    private static final long LIMIT = 32L << 20;
    private static final long SECOND = 1_000_000_000L;
    private static final Duration WINDOW = Duration.ofSeconds(60);

    @Test
    void nearTheLimitEverySecondIdleEveryIntervalRemovedForgotten() throws Exception {
        MemcgHistory history = new MemcgHistory(WINDOW.toNanos(), 100_000);
        AtomicLong clock = new AtomicLong(LiveBootClock.bootTimeNanosNow());
        MemoryHierarchy hierarchy = MemoryHierarchy.find(MemoryHierarchy.CGROUP_MOUNT).orElseThrow();
        MemcgSampler sampler = new MemcgSampler(hierarchy.root(), hierarchy.isV2(), history, Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(10), WINDOW, 100_000, clock::get);
        long start = clock.get();
        try (MemoryCgroup near = MemoryCgroup.create("nodescope-it-sampler-near", LIMIT)) {
            long idleId;
            try (MemoryCgroup idle = MemoryCgroup.create("nodescope-it-sampler-idle", LIMIT)) {
                idleId = idle.id();
                Process holder = near.start(List.of(OomAllocBinary.path().toString(), "-t", "28", "-H", "120"));
                ProcessOutput.await(holder, "holding it");

                for (int second = 0; second <= 10; second++) {
                    clock.set(start + second * SECOND);
                    sampler.tick();
                }

                List<MemcgSample> nearSamples = history.window(near.id(), clock.get());
                assertEquals(11, nearSamples.size(), "every second: at 28 of 32 MiB it is above 80%");
                MemcgSample last = nearSamples.getLast();
                assertEquals(LIMIT, last.limitBytes());
                assertTrue(last.usedFraction() >= 0.8, last.toString());
                // memory.stat (the costly file) every 6th sample; usage and limit hits every time.
                assertEquals(List.of(true, false, false, false, false, false, true, false, false, false, false),
                        nearSamples.stream().map(MemcgSample::hasBreakdown).toList());
                assertTrue(nearSamples.stream().allMatch(sample -> sample.limitHits() != MemcgSample.NOT_READ));
                assertTrue(nearSamples.get(6).anonBytes() >= 28L << 20, nearSamples.get(6).toString());
                List<MemcgSample> idleSamples = history.window(idleId, clock.get());
                assertEquals(List.of(start, start + 10 * SECOND),
                        idleSamples.stream().map(MemcgSample::bootTimeNanos).toList(), "at 0 and 10 s only");
                assertEquals(List.of(true, false), idleSamples.stream().map(MemcgSample::hasBreakdown).toList(),
                        "memory.stat read the first time");
                assertEquals(MemcgSample.NOT_READ, idleSamples.getLast().limitHits(), "far below its limit: usage alone");
            }
            // Removed: its history stays until it is past the window, then the next walk forgets it.
            clock.set(start + 30 * SECOND);
            sampler.tick();
            assertEquals(2, history.window(idleId, clock.get()).size());
            clock.set(start + 71 * SECOND);
            sampler.tick();
            assertEquals(List.of(), history.window(idleId, clock.get()));
            assertTrue(history.window(near.id(), clock.get()).size() > 1, "the living one stays");
        }
    }
}
