package io.nodescope.module.oom.incident;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What led to one OOM kill, from the constraining memcg's history and its counters at the kill.
 *
 * @param verdict            one line: leak, spike, page cache, or at the limit (rules in {@link OomIncidents})
 * @param crossings          the last upward crossings of 80, 90 and 95% of the limit, oldest first
 * @param firstLimitHitNanos the first sample in the window whose limit-hit counter had grown: by then
 *                           charges were failing and reclaiming (boot time)
 * @param fastestGrowing     the component that grew most over the ramp, with its growth
 * @param history            the samples the verdict was drawn from, the kill's counters last
 */
public record OomIncident(String verdict, List<Crossing> crossings, OptionalLong firstLimitHitNanos,
                          Optional<Growth> fastestGrowing, List<MemcgSample> history) {

    /** Usage went from below {@code percent}% of the limit to at or above it. */
    public record Crossing(int percent, long bootTimeNanos) {}

    public record Growth(MemcgSample.Component component, long bytes) {}
}
