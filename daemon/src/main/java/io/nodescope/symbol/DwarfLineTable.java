package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Address to file:line from DWARF .debug_line (versions 2 to 5), for every unit in the section.
 * The line programs run once at parse time into one address-sorted row array; a lookup is a
 * binary search. No maintained Java DWARF library exists on Maven Central, hence this focused
 * reader, fuzzed with the rest of the symbol parsers.
 *
 * <p>Growth is bounded by the input: every row costs at least one opcode byte and every file or
 * directory entry at least one byte, so a header's counts never size an allocation.
 */
final class DwarfLineTable {
    private final long[] addresses;
    /** Index into {@code files}, or {@link DwarfLineProgram#END_OF_SEQUENCE} where no code is. */
    private final int[] fileIndexes;
    private final int[] lines;
    private final List<String> files;

    private DwarfLineTable(long[] addresses, int[] fileIndexes, int[] lines, List<String> files) {
        this.addresses = addresses;
        this.fileIndexes = fileIndexes;
        this.lines = lines;
        this.files = files;
    }

    /** {@code debugStr} serves DW_FORM_strp paths, which some producers use in v5 headers. */
    static DwarfLineTable parse(BoundedReader section, Optional<BoundedReader> debugLineStr,
                                Optional<BoundedReader> debugStr) throws MalformedSymbolDataException {
        DwarfStrings strings = new DwarfStrings(debugLineStr, debugStr);
        PathTable paths = new PathTable();
        List<DwarfLineProgram.Sequence> sequences = new ArrayList<>();
        long offset = 0;
        // Each unit advances offset by its length plus the length field, at least 4 bytes.
        while (offset < section.size()) {
            offset = DwarfLineProgram.run(section, offset, strings, paths, sequences);
        }
        return sorted(sequences, paths.paths());
    }

    Optional<SourceLine> lookup(long address) {
        int found = SortedAddresses.lastAtOrBelow(addresses, address);
        if (found < 0 || fileIndexes[found] == DwarfLineProgram.END_OF_SEQUENCE) {
            return Optional.empty();
        }
        return Optional.of(new SourceLine(files.get(fileIndexes[found]), lines[found]));
    }

    /** The row arrays (8 + 4 + 4 bytes a row) and the paths, for the module cache's memory bound. */
    long retainedBytes() {
        long pathBytes = 0;
        for (String file : files) {
            pathBytes += 48 + file.length();
        }
        return addresses.length * 16L + pathBytes;
    }

    /**
     * Sequences sorted by start address, concatenated into one array. A sequence that starts
     * inside the previous one is dropped: that is code the linker discarded and left at address 0,
     * or a duplicate, and keeping it would break the order the binary search needs.
     */
    private static DwarfLineTable sorted(List<DwarfLineProgram.Sequence> sequences, List<String> files) {
        sequences.sort(Comparator.comparing(DwarfLineProgram.Sequence::start, Long::compareUnsigned)
                .thenComparing(DwarfLineProgram.Sequence::end, Long::compareUnsigned));
        int total = 0;
        for (DwarfLineProgram.Sequence sequence : sequences) {
            total += sequence.size();
        }
        long[] addresses = new long[total];
        int[] fileIndexes = new int[total];
        int[] lines = new int[total];
        int count = 0;
        long previousEnd = 0;
        boolean first = true;
        for (DwarfLineProgram.Sequence sequence : sequences) {
            if (!first && Long.compareUnsigned(sequence.start(), previousEnd) < 0) {
                continue;
            }
            first = false;
            previousEnd = sequence.end();
            count = sequence.copyInto(addresses, fileIndexes, lines, count);
        }
        return new DwarfLineTable(Arrays.copyOf(addresses, count), Arrays.copyOf(fileIndexes, count),
                Arrays.copyOf(lines, count), List.copyOf(files));
    }
}
