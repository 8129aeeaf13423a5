package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One ELF file's call frame information, flattened for lookups: every row of every FDE, sorted by
 * address, as two int arrays (row start relative to the lowest FDE, index of its interned
 * {@link RegisterRules}), with a gap row (-1) where one FDE ends before the next begins. A lookup
 * is one binary search. Built once per file and shared by every process that maps it.
 *
 * <p>Sources: .eh_frame through the FDE list of .eh_frame_hdr, as the runtime's own unwinder finds
 * them (FDEs the linker left out of the list describe discarded code); .eh_frame scanned where the
 * header is missing or unusable; .debug_frame of the file, or else of its separate debug file, for
 * the functions .eh_frame does not describe (code built with -fno-asynchronous-unwind-tables).
 */
final class UnwindTable {
    /** Rows past this are refused: libjvm.so has ~400,000, a file claiming 10x more is hostile. */
    static final int MAX_ROWS = 1 << 22;
    /**
     * Distinct rule sets are refused past this: libc has 395, libjvm.so 125; each weighs ~400 bytes,
     * so a hostile file's four million distinct rows would otherwise hold 1.6 GB.
     */
    static final int MAX_DISTINCT_RULES = 1 << 16;
    static final UnwindTable EMPTY = new UnwindTable(0, new int[0], new int[0], new RegisterRules[0]);
    private static final int GAP = -1;
    private static final Comparator<CallFrameInfo.Fde> BY_START_EH_FRAME_LAST = (a, b) -> {
        int byStart = Long.compareUnsigned(a.pcBegin(), b.pcBegin());
        return byStart != 0 ? byStart : Boolean.compare(a.section().format() == CallFrameInfo.Format.EH_FRAME,
                b.section().format() == CallFrameInfo.Format.EH_FRAME);
    };

    private final long base;
    private final int[] starts;
    private final int[] ruleIndexes;
    private final RegisterRules[] rules;

    private UnwindTable(long base, int[] starts, int[] ruleIndexes, RegisterRules[] rules) {
        this.base = base;
        this.starts = starts;
        this.ruleIndexes = ruleIndexes;
        this.rules = rules;
    }

    /** The rules at a file address (ELF virtual address), or null where no FDE covers it. */
    RegisterRules rulesAt(long address) {
        long relative = address - base;
        if (relative < 0 || relative > 0xffffffffL || starts.length == 0) {
            return null;
        }
        int key = (int) relative;
        int low = 0;
        int high = starts.length - 1;
        int found = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (Integer.compareUnsigned(starts[middle], key) <= 0) {
                found = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        if (found < 0 || ruleIndexes[found] == GAP) {
            return null;
        }
        return rules[ruleIndexes[found]];
    }

    int rowCount() {
        return starts.length;
    }

    int distinctRules() {
        return rules.length;
    }

    long retainedBytes() {
        long bytes = 64 + 8L * starts.length + 16L * rules.length;
        for (RegisterRules rule : rules) {
            bytes += rule.retainedBytes();
        }
        return bytes;
    }

    /**
     * @param debugFile the separate debug file, for its .debug_frame where the binary has none
     */
    static UnwindTable build(ElfFile binary, Optional<ElfFile> debugFile) throws MalformedSymbolDataException {
        List<CallFrameInfo.Fde> fdes = new ArrayList<>();
        Optional<CallFrameInfo> debugFrame = section(binary, ".debug_frame", CallFrameInfo.Format.DEBUG_FRAME);
        if (debugFrame.isEmpty() && debugFile.isPresent()) {
            debugFrame = section(debugFile.get(), ".debug_frame", CallFrameInfo.Format.DEBUG_FRAME);
        }
        if (debugFrame.isPresent()) {
            fdes.addAll(debugFrame.get().scan());
        }
        Optional<CallFrameInfo> ehFrame = section(binary, ".eh_frame", CallFrameInfo.Format.EH_FRAME);
        if (ehFrame.isPresent()) {
            fdes.addAll(fdesOf(binary, ehFrame.get()));
        }
        return build(fdes);
    }

    /** One section's table on its own: the fuzzing and malformed-corpus entry point. */
    static UnwindTable fromSection(BoundedReader section, long sectionAddress, CallFrameInfo.Format format)
            throws MalformedSymbolDataException {
        return build(new CallFrameInfo(section, sectionAddress, format).scan());
    }

    private static Optional<CallFrameInfo> section(ElfFile file, String name, CallFrameInfo.Format format)
            throws MalformedSymbolDataException {
        Optional<ElfFile.Section> header = file.sectionHeader(name);
        if (header.isEmpty() || header.get().type() == ElfFile.SHT_NOBITS || header.get().size() == 0) {
            return Optional.empty();
        }
        return Optional.of(new CallFrameInfo(file.contents(header.get()), header.get().address(), format));
    }

    /** Through .eh_frame_hdr's table when it is usable, by scanning .eh_frame otherwise. */
    private static List<CallFrameInfo.Fde> fdesOf(ElfFile binary, CallFrameInfo ehFrame)
            throws MalformedSymbolDataException {
        Optional<ElfFile.Section> headerSection = binary.sectionHeader(".eh_frame_hdr");
        if (headerSection.isPresent() && headerSection.get().type() != ElfFile.SHT_NOBITS) {
            Optional<List<CallFrameInfo.Fde>> listed = EhFrameHeader.fdes(binary.contents(headerSection.get()),
                    headerSection.get().address(), ehFrame);
            if (listed.isPresent()) {
                return listed.get();
            }
        }
        return ehFrame.scan();
    }

    /**
     * Both sections can describe a function (code built with -fno-asynchronous-unwind-tables next to
     * crt files with .eh_frame): at the same start .eh_frame sorts last, and a later FDE wins.
     */
    private static UnwindTable build(List<CallFrameInfo.Fde> fdes) throws MalformedSymbolDataException {
        List<CallFrameInfo.Fde> sorted = new ArrayList<>(fdes);
        sorted.removeIf(fde -> fde.pcBegin() == fde.pcEnd() || fde.pcBegin() == 0); // Discarded by the linker.
        sorted.sort(BY_START_EH_FRAME_LAST);
        if (sorted.isEmpty()) {
            return EMPTY;
        }
        Builder builder = new Builder(sorted.getFirst().pcBegin());
        Map<CallFrameInfo.Cie, CfiProgram.State> initialByCie = new IdentityHashMap<>();
        for (CallFrameInfo.Fde fde : sorted) {
            CfiProgram.State initial = initialByCie.get(fde.cie());
            if (initial == null) {
                initial = CfiProgram.initialRules(fde.section(), fde.cie());
                initialByCie.put(fde.cie(), initial);
            }
            if (!builder.fits(fde.pcEnd())) {
                continue; // Over 4 GiB past the first function: not one module's code.
            }
            builder.startFunction(fde.pcBegin());
            CfiProgram.rows(fde, initial, builder::row);
            builder.endFunction(fde.pcEnd());
        }
        return builder.table();
    }

    /** Appends rows in address order, interning their rules; a later FDE overlapping an earlier one wins. */
    private static final class Builder {
        private final long base;
        private int[] starts = new int[1024];
        private int[] ruleIndexes = new int[1024];
        private int count;
        private final Map<Integer, List<Integer>> byHash = new HashMap<>();
        private final List<RegisterRules> rules = new ArrayList<>();

        Builder(long base) {
            this.base = base;
        }

        boolean fits(long address) {
            return Long.compareUnsigned(address - base, 0xffffffffL) <= 0;
        }

        void startFunction(long pcBegin) {
            int start = (int) (pcBegin - base);
            while (count > 0 && Integer.compareUnsigned(starts[count - 1], start) >= 0) {
                count--;
            }
        }

        void row(long address, CfiProgram.State state, boolean signalFrame) throws MalformedSymbolDataException {
            int start = (int) (address - base);
            int index = intern(state, signalFrame);
            if (count > 0 && starts[count - 1] == start) {
                ruleIndexes[count - 1] = index;
            } else if (count > 0 && ruleIndexes[count - 1] == index) {
                return; // The same rules continue: no row needed.
            } else {
                append(start, index);
            }
        }

        /** The index of the rules equal to the state, frozen and added only when new (a few hundred per file). */
        private int intern(CfiProgram.State state, boolean signalFrame) throws MalformedSymbolDataException {
            int hash = state.rulesHash(signalFrame);
            List<Integer> candidates = byHash.get(hash);
            if (candidates != null) {
                for (int candidate : candidates) {
                    if (rules.get(candidate).sameAs(state, signalFrame)) {
                        return candidate;
                    }
                }
            }
            int index = rules.size();
            if (index == MAX_DISTINCT_RULES) {
                throw new MalformedSymbolDataException("call frame information: more than " + MAX_DISTINCT_RULES
                        + " distinct rule sets");
            }
            rules.add(state.freeze(signalFrame));
            byHash.computeIfAbsent(hash, unused -> new ArrayList<>(1)).add(index);
            return index;
        }

        void endFunction(long pcEnd) throws MalformedSymbolDataException {
            append((int) (pcEnd - base), GAP);
        }

        private void append(int start, int index) throws MalformedSymbolDataException {
            if (count == MAX_ROWS) {
                throw new MalformedSymbolDataException("call frame information: more than " + MAX_ROWS + " rows");
            }
            if (count == starts.length) {
                int grown = (int) Math.min(MAX_ROWS, (long) count * 2);
                starts = Arrays.copyOf(starts, grown);
                ruleIndexes = Arrays.copyOf(ruleIndexes, grown);
            }
            starts[count] = start;
            ruleIndexes[count] = index;
            count++;
        }

        UnwindTable table() {
            return new UnwindTable(base, Arrays.copyOf(starts, count), Arrays.copyOf(ruleIndexes, count),
                    rules.toArray(new RegisterRules[0]));
        }
    }
}
