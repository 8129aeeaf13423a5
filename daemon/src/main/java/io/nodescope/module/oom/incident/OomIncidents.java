package io.nodescope.module.oom.incident;

import io.nodescope.span.Bytes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The rules that explain a memcg OOM kill from its history (the README's "OOM incident" lists
 * them), in this order:
 * <ol>
 * <li>no samples before the kill: "no history";</li>
 * <li>page cache was at least half the usage at the kill: "page cache not reclaimable";</li>
 * <li>the ramp (from the last sample at the base level the growth started from, back from the kill
 * to where usage last fell, to the kill) grew by less than a tenth of the limit: "at the limit",
 * usage had been there all along;</li>
 * <li>the ramp lasted at most {@link #SPIKE_MAX}: "spike: +N MiB in T s";</li>
 * <li>otherwise "leak: COMPONENT grew ~R MiB/min for T", COMPONENT the one that grew most.</li>
 * </ol>
 */
public final class OomIncidents {
    static final Duration SPIKE_MAX = Duration.ofSeconds(10);
    static final int[] THRESHOLDS_PERCENT = {80, 90, 95};
    /** A dip smaller than this (or 2% of the limit) does not end a ramp: allocators free a little too. */
    private static final long RAMP_TOLERANCE_BYTES = 1L << 20;
    private static final double PAGE_CACHE_SHARE = 0.5;
    private static final double GROWTH_SHARE = 0.1;

    private OomIncidents() {}

    /** @param before the memcg's samples before the kill, oldest first; atKill its counters at the kill */
    public static OomIncident analyze(List<MemcgSample> before, MemcgSample atKill) {
        List<MemcgSample> series = new ArrayList<>(before.stream()
                .filter(sample -> sample.bootTimeNanos() < atKill.bootTimeNanos()).toList());
        series.add(atKill);
        if (series.size() == 1) {
            return new OomIncident("no history: the cgroup was not sampled before the kill", List.of(),
                    OptionalLong.empty(), Optional.empty(), series);
        }
        Ramp ramp = ramp(series, atKill.limitBytes());
        MemcgSample from = series.get(ramp.start());
        Optional<OomIncident.Growth> fastest = breakdownAtOrBefore(series, ramp.start()).flatMap(base ->
                Arrays.stream(MemcgSample.Component.values())
                        .map(component -> new OomIncident.Growth(component,
                                atKill.bytes(component) - base.bytes(component)))
                        .max(Comparator.comparingLong(OomIncident.Growth::bytes))
                        .filter(growth -> growth.bytes() > 0));
        return new OomIncident(verdict(series.get(ramp.notFallingSince()), from, atKill, fastest), crossings(series), firstLimitHit(series), fastest,
                List.copyOf(series));
    }

    private static String verdict(MemcgSample steadySince, MemcgSample from, MemcgSample atKill,
                                  Optional<OomIncident.Growth> fastest) {
        if (atKill.fileBytes() >= PAGE_CACHE_SHARE * atKill.usageBytes()) {
            return "page cache not reclaimable: " + mib(atKill.fileBytes()) + " of file pages (shmem "
                    + mib(atKill.shmemBytes()) + ") in " + mib(atKill.usageBytes()) + " used";
        }
        long growth = atKill.usageBytes() - from.usageBytes();
        long nanos = atKill.bootTimeNanos() - from.bootTimeNanos();
        if (growth < GROWTH_SHARE * atKill.limitBytes()) {
            return "at the limit: usage within " + mib(Math.max(growth, 0)) + " of the kill's for "
                    + duration(atKill.bootTimeNanos() - steadySince.bootTimeNanos()) + ", no growth to blame";
        }
        String component = fastest.map(one -> one.component().label()).orElse("usage");
        if (nanos <= SPIKE_MAX.toNanos()) {
            return "spike: +" + mib(growth) + " in " + duration(nanos) + " (mostly " + component + ")";
        }
        long componentGrowth = fastest.map(OomIncident.Growth::bytes).orElse(growth);
        double mibPerMinute = componentGrowth / (double) (1 << 20) / (nanos / 60e9);
        return "leak: " + component + " grew ~" + Math.round(mibPerMinute) + " MiB/min for " + duration(nanos);
    }

    /**
     * Where the growth that ended in the kill began: back from the kill while usage did not fall
     * by more than the tolerance, then forward past the samples still at that base level (a
     * plateau before a spike is not part of it). Never the kill itself.
     */
    static Ramp ramp(List<MemcgSample> series, long limitBytes) {
        long tolerance = Math.max(RAMP_TOLERANCE_BYTES, limitBytes / 50);
        int kill = series.size() - 1;
        int start = kill - 1;
        while (start > 0 && series.get(start - 1).usageBytes() <= series.get(start).usageBytes() + tolerance) {
            start--;
        }
        int notFallingSince = start;
        long base = series.get(start).usageBytes();
        while (start < kill - 1 && series.get(start + 1).usageBytes() <= base + tolerance) {
            start++;
        }
        return new Ramp(notFallingSince, start);
    }

    /** Indexes into the series: where usage last fell before the kill, and where the growth began. */
    record Ramp(int notFallingSince, int start) {}

    /**
     * The components where the ramp began: a cgroup's breakdown is read every few samples, so the
     * last one read at or before the ramp's start, else the first after it.
     */
    private static Optional<MemcgSample> breakdownAtOrBefore(List<MemcgSample> series, int index) {
        for (int i = index; i >= 0; i--) {
            if (series.get(i).hasBreakdown()) {
                return Optional.of(series.get(i));
            }
        }
        return series.subList(index, series.size() - 1).stream().filter(MemcgSample::hasBreakdown).findFirst();
    }

    /** The last time usage rose through each threshold; none when it was above it all along. */
    private static List<OomIncident.Crossing> crossings(List<MemcgSample> series) {
        List<OomIncident.Crossing> crossings = new ArrayList<>();
        for (int percent : THRESHOLDS_PERCENT) {
            for (int i = series.size() - 1; i > 0; i--) {
                if (series.get(i).usedFraction() * 100 >= percent && series.get(i - 1).usedFraction() * 100 < percent) {
                    crossings.add(new OomIncident.Crossing(percent, series.get(i).bootTimeNanos()));
                    break;
                }
            }
        }
        crossings.sort(Comparator.comparingLong(OomIncident.Crossing::bootTimeNanos));
        return crossings;
    }

    /** Sampled counters only: the kill's own counter comes from the kernel, not always the same one. */
    private static OptionalLong firstLimitHit(List<MemcgSample> series) {
        List<MemcgSample> read = series.subList(0, series.size() - 1).stream()
                .filter(sample -> sample.limitHits() != MemcgSample.NOT_READ).toList();
        for (MemcgSample sample : read) {
            if (sample.limitHits() > read.getFirst().limitHits()) {
                return OptionalLong.of(sample.bootTimeNanos());
            }
        }
        return OptionalLong.empty();
    }

    private static String mib(long bytes) {
        return Bytes.humanReadable(bytes);
    }

    private static String duration(long nanos) {
        long seconds = Math.round(nanos / 1e9);
        return seconds < 120 ? seconds + " s" : Math.round(seconds / 60.0) + " min";
    }
}
