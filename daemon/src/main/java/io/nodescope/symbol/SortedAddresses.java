package io.nodescope.symbol;

/** Binary search over addresses sorted as unsigned (kernel addresses have the top bit set). */
final class SortedAddresses {
    private SortedAddresses() {}

    /** The index of the last address at or below {@code address}, or -1 when all are above it. */
    static int lastAtOrBelow(long[] sorted, long address) {
        int low = 0;
        int high = sorted.length - 1;
        int found = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (Long.compareUnsigned(sorted[middle], address) <= 0) {
                found = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return found;
    }
}
