package io.nodescope.module.oom.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The verdict rules, one case each, on hand-made histories of a 256 MiB cgroup. */
class OomIncidentsTest {
    private static final long MIB = 1L << 20;
    private static final long LIMIT = 256 * MIB;
    private static final long SECOND = 1_000_000_000L;
    private static final long KILL = 1000 * SECOND;

    private static MemcgSample sample(long atNanos, long anonMib, long fileMib, long limitHits) {
        return new MemcgSample(atNanos, (anonMib + fileMib) * MIB, LIMIT, anonMib * MIB, fileMib * MIB, 0,
                fileMib * MIB / 2, 0, limitHits);
    }

    private static MemcgSample atKill(long anonMib, long fileMib) {
        return sample(KILL, anonMib, fileMib, 99);
    }

    /** anon from startMib, +step MiB every `every` seconds, up to (not including) the kill. */
    private static List<MemcgSample> ramp(long seconds, long every, long startMib, long stepMib) {
        List<MemcgSample> samples = new ArrayList<>();
        for (long t = seconds; t > 0; t -= every) {
            long mib = startMib + stepMib * ((seconds - t) / every);
            samples.add(sample(KILL - t * SECOND, mib, 8, mib > 240 ? 5 : 0));
        }
        return samples;
    }

    @Test
    void slowSteadyGrowthIsALeakWithItsRateAndDuration() {
        // anon +1 MiB a second for 240 s: 8 -> 247 MiB, next to 8 MiB of page cache.
        OomIncident incident = OomIncidents.analyze(ramp(240, 1, 8, 1), atKill(248, 8));

        assertEquals("leak: anon grew ~60 MiB/min for 4 min", incident.verdict());
        assertEquals(MemcgSample.Component.ANON, incident.fastestGrowing().orElseThrow().component());
    }

    @Test
    void mostOfTheLimitWithinSecondsIsASpike() {
        List<MemcgSample> quiet = ramp(60, 10, 16, 0); // flat at 16 MiB until 10 s before the kill
        quiet.add(sample(KILL - 2 * SECOND, 16, 8, 0));

        OomIncident incident = OomIncidents.analyze(quiet, atKill(248, 8));

        assertEquals("spike: +232.0 MiB in 2 s (mostly anon)", incident.verdict());
    }

    @Test
    void aDipEndsTheRampSoAnOldLeakAfterARestartIsNotBlamed() {
        List<MemcgSample> samples = ramp(120, 5, 16, 9); // grows to ~220 MiB...
        samples.add(sample(KILL - 4 * SECOND, 10, 8, 0)); // ...then the process restarted
        OomIncident incident = OomIncidents.analyze(samples, atKill(248, 8));

        assertTrue(incident.verdict().startsWith("spike: +238.0 MiB in 4 s"), incident.verdict());
    }

    @Test
    void fileMemoryAtLeastHalfTheUsageIsPageCacheNotReclaimable() {
        OomIncident incident = OomIncidents.analyze(ramp(60, 10, 16, 0), atKill(100, 156));

        assertEquals("page cache not reclaimable: 156.0 MiB of file pages (shmem 0 B) in 256.0 MiB used",
                incident.verdict());
    }

    @Test
    void noGrowthInTheWindowIsAtTheLimit() {
        List<MemcgSample> full = new ArrayList<>();
        for (long t = 300; t > 0; t -= 10) {
            full.add(sample(KILL - t * SECOND, 246, 8, 0));
        }
        OomIncident incident = OomIncidents.analyze(full, atKill(248, 8));

        assertEquals("at the limit: usage within 2.0 MiB of the kill's for 5 min, no growth to blame",
                incident.verdict());
    }

    @Test
    void withoutSamplesThereIsNoHistoryToJudge() {
        OomIncident incident = OomIncidents.analyze(List.of(), atKill(248, 8));

        assertEquals("no history: the cgroup was not sampled before the kill", incident.verdict());
        assertEquals(List.of(), incident.crossings());
    }

    @Test
    void crossingsAreTheLastRiseThroughEachThresholdInTimeOrder() {
        List<MemcgSample> samples = new ArrayList<>(List.of(
                sample(KILL - 50 * SECOND, 200, 8, 0),   // 81%
                sample(KILL - 40 * SECOND, 100, 8, 0),   // fell back
                sample(KILL - 30 * SECOND, 200, 8, 0),   // 81% again: the crossing that counts
                sample(KILL - 20 * SECOND, 225, 8, 0),   // 91%
                sample(KILL - 10 * SECOND, 240, 8, 3))); // 97%: through 95, and the limit was hit
        OomIncident incident = OomIncidents.analyze(samples, atKill(248, 8));

        assertEquals(List.of(new OomIncident.Crossing(80, KILL - 30 * SECOND),
                new OomIncident.Crossing(90, KILL - 20 * SECOND),
                new OomIncident.Crossing(95, KILL - 10 * SECOND)), incident.crossings());
        assertEquals(OptionalLong.of(KILL - 10 * SECOND), incident.firstLimitHitNanos());
    }

    @Test
    void samplesAfterTheKillAreIgnoredAndTheKillComesLast() {
        List<MemcgSample> samples = new ArrayList<>(ramp(30, 1, 16, 7).subList(0, 30));
        samples.add(sample(KILL + SECOND, 0, 0, 0));
        OomIncident incident = OomIncidents.analyze(samples, atKill(248, 8));

        assertEquals(KILL, incident.history().getLast().bootTimeNanos());
        assertEquals(31, incident.history().size());
    }
}
