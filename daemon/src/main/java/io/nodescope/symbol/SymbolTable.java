package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * Address ranges to names, sorted for binary search. Used for ELF symbol tables, kallsyms and perf
 * maps alike. Addresses compare unsigned (kernel addresses have the top bit set).
 *
 * <p>Names are decoded and demangled on first lookup, not at build time: an ELF string table of
 * libjvm.so holds 3 MB of mangled names of which a stack ever touches a few hundred, and the cold
 * index time is what a first event waits for.
 */
final class SymbolTable {
    /** A symbol with no size reaches to the next symbol (kallsyms has no sizes; asm symbols often lack one). */
    private static final long UNKNOWN_SIZE = 0;

    /** @param key the name key the symbol was added with, for callers keeping more per symbol */
    record Hit(String name, long start, int key) {}

    private final long[] starts;
    private final long[] ends;
    private final int[] nameKeys;
    private final IntFunction<String> rawNames;
    private final AtomicReferenceArray<String> displayNames;

    private SymbolTable(long[] starts, long[] ends, int[] nameKeys, IntFunction<String> rawNames) {
        this.starts = starts;
        this.ends = ends;
        this.nameKeys = nameKeys;
        this.rawNames = rawNames;
        this.displayNames = new AtomicReferenceArray<>(starts.length);
    }

    int size() {
        return starts.length;
    }

    /** Heap held by the arrays, for the cache's memory bound. */
    long retainedBytes() {
        return starts.length * 28L + 64;
    }

    Optional<Hit> lookup(long address) {
        int index = SortedAddresses.lastAtOrBelow(starts, address);
        if (index < 0 || Long.compareUnsigned(address, ends[index]) >= 0) {
            return Optional.empty();
        }
        return Optional.of(new Hit(displayName(index), starts[index], nameKeys[index]));
    }

    private String displayName(int index) {
        String name = displayNames.get(index);
        if (name == null) {
            // Two threads may both demangle the same name; the results are equal, so either may win.
            name = ItaniumDemangler.demangle(rawNames.apply(nameKeys[index]));
            displayNames.lazySet(index, name);
        }
        return name;
    }

    /** Collects symbols in any order; {@link #build} sorts them. The first one added at an address wins. */
    static final class Builder {
        private long[] starts;
        private long[] sizes;
        private int[] nameKeys;
        private int count;
        private final List<Long> boundaries = new ArrayList<>();

        Builder(int expected) {
            int capacity = Math.max(16, expected);
            starts = new long[capacity];
            sizes = new long[capacity];
            nameKeys = new int[capacity];
        }

        int count() {
            return count;
        }

        Builder add(long start, long size, int nameKey) {
            if (count == starts.length) {
                int capacity = Math.multiplyExact(count, 2);
                starts = Arrays.copyOf(starts, capacity);
                sizes = Arrays.copyOf(sizes, capacity);
                nameKeys = Arrays.copyOf(nameKeys, capacity);
            }
            starts[count] = start;
            sizes[count] = size;
            nameKeys[count] = nameKey;
            count++;
            return this;
        }

        /**
         * An address no symbol's extent reaches past: the end of a section or of a module. Without
         * it a symbol with no size would lend its name to whatever lies beyond, up to the next symbol.
         */
        Builder endAt(long boundary) {
            boundaries.add(boundary);
            return this;
        }

        /** @param rawNames turns a name key given to {@link #add} into the symbol's (mangled) name */
        SymbolTable build(IntFunction<String> rawNames) {
            int[] order = sortedByStart();
            int unique = 0;
            int[] kept = new int[count];
            for (int i = 0; i < count; i++) {
                if (unique == 0 || starts[order[i]] != starts[kept[unique - 1]]) {
                    kept[unique++] = order[i];
                }
            }
            long[] sortedStarts = new long[unique];
            long[] sortedEnds = new long[unique];
            int[] sortedKeys = new int[unique];
            for (int i = 0; i < unique; i++) {
                int from = kept[i];
                sortedStarts[i] = starts[from];
                sortedKeys[i] = nameKeys[from];
            }
            long[] sortedBoundaries = boundaries.stream().sorted(Long::compareUnsigned)
                    .mapToLong(Long::longValue).toArray();
            for (int i = 0; i < unique; i++) {
                long size = sizes[kept[i]];
                long next = i + 1 < unique ? sortedStarts[i + 1] : -1L; // -1: the top of the address space
                long end = size == UNKNOWN_SIZE || sortedStarts[i] + size < sortedStarts[i]
                        ? next : sortedStarts[i] + size;
                int boundary = SortedAddresses.lastAtOrBelow(sortedBoundaries, sortedStarts[i]) + 1;
                if (boundary < sortedBoundaries.length && Long.compareUnsigned(sortedBoundaries[boundary], end) < 0) {
                    end = sortedBoundaries[boundary];
                }
                sortedEnds[i] = end;
            }
            return new SymbolTable(sortedStarts, sortedEnds, sortedKeys, rawNames);
        }

        /** A stable merge sort by unsigned start: n log n on any input, unlike a quicksort fed by a hostile file. */
        private int[] sortedByStart() {
            int[] order = new int[count];
            int[] scratch = new int[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            for (int width = 1; width < count; width *= 2) {
                for (int low = 0; low < count; low += 2 * width) {
                    int middle = Math.min(low + width, count);
                    int high = Math.min(low + 2 * width, count);
                    int left = low;
                    int right = middle;
                    for (int out = low; out < high; out++) {
                        if (left < middle && (right >= high
                                || Long.compareUnsigned(starts[order[left]], starts[order[right]]) <= 0)) {
                            scratch[out] = order[left++];
                        } else {
                            scratch[out] = order[right++];
                        }
                    }
                }
                int[] swap = order;
                order = scratch;
                scratch = swap;
            }
            return order;
        }
    }
}
