package io.nodescope.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One label set of a histogram the kernel aggregates itself (per-CPU log2 slots in a BPF map,
 * summed over the CPUs), as the module read it.
 *
 * <p>The slots follow the OpenTelemetry exponential histogram at scale 0: {@code bucketCounts[k]}
 * counts the values v with 2^(offset+k) &lt; v &lt;= 2^(offset+k+1) (upper bound inclusive, as the
 * data model defines it), and {@code zeroCount} the values 0. With {@code offset = -1} the slot
 * of an integer v &gt;= 1 is the bit length of v - 1, in BPF C
 * {@code slot = v > 1 ? 64 - __builtin_clzll(v - 1) : 0} (v = 1 in slot 0, 2 in slot 1, 3..4 in
 * slot 2, 5..8 in slot 3); the bcc-style {@code log2l(v)} slot puts 2^i with 2^i + 1..2^(i+1) - 1
 * instead, one bucket off at every power of two, and is not what this type carries.
 *
 * @param labelValues  in the order of the histogram's label names
 * @param sum          of all recorded values
 * @param zeroCount    values that were exactly 0
 * @param offset       the bucket index of {@code bucketCounts[0]}
 * @param bucketCounts not cumulative; copied
 */
public record Log2HistogramPoint(List<String> labelValues, double sum, long zeroCount, int offset,
                                 long[] bucketCounts) {
    public Log2HistogramPoint {
        labelValues = List.copyOf(labelValues);
        bucketCounts = bucketCounts.clone();
        if (zeroCount < 0 || Arrays.stream(bucketCounts).anyMatch(c -> c < 0)) {
            throw new IllegalArgumentException("negative count in a histogram point for " + labelValues);
        }
    }

    /** Every recorded value: the zero bucket and all slots. */
    public long count() {
        return zeroCount + Arrays.stream(bucketCounts).sum();
    }

    @Override
    public long[] bucketCounts() {
        return bucketCounts.clone();
    }

    /** The two points' values together, under the given label values; offsets may differ. */
    Log2HistogramPoint plus(Log2HistogramPoint other, List<String> mergedLabelValues) {
        if (bucketCounts.length == 0) {
            return new Log2HistogramPoint(mergedLabelValues, sum + other.sum, zeroCount + other.zeroCount,
                    other.offset, other.bucketCounts);
        }
        if (other.bucketCounts.length == 0) {
            return new Log2HistogramPoint(mergedLabelValues, sum + other.sum, zeroCount + other.zeroCount,
                    offset, bucketCounts);
        }
        int low = Math.min(offset, other.offset);
        int high = Math.max(offset + bucketCounts.length, other.offset + other.bucketCounts.length);
        long[] merged = new long[high - low];
        for (int k = 0; k < bucketCounts.length; k++) {
            merged[offset - low + k] += bucketCounts[k];
        }
        for (int k = 0; k < other.bucketCounts.length; k++) {
            merged[other.offset - low + k] += other.bucketCounts[k];
        }
        return new Log2HistogramPoint(mergedLabelValues, sum + other.sum, zeroCount + other.zeroCount, low, merged);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Log2HistogramPoint p && labelValues.equals(p.labelValues) && sum == p.sum
                && zeroCount == p.zeroCount && offset == p.offset && Arrays.equals(bucketCounts, p.bucketCounts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(labelValues, sum, zeroCount, offset, Arrays.hashCode(bucketCounts));
    }

    @Override
    public String toString() {
        return "Log2HistogramPoint" + labelValues + "{sum=" + sum + ", zero=" + zeroCount + ", offset=" + offset
                + ", buckets=" + Arrays.toString(bucketCounts) + "}";
    }
}
