package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Go's .gopclntab: function names, entries and file:line for every pc of a Go binary, present even
 * when the binary is stripped (the runtime needs it for tracebacks). Layouts of Go 1.16, 1.18-1.19
 * and 1.20+ as in the runtime's pcHeader, functab and _func (runtime/symtab.go, runtime2.go).
 *
 * <p>Parsing reads only the header; each lookup decodes what its pc needs, every read bounds
 * checked, so a hostile table costs no more than its own size and fails with
 * {@link MalformedSymbolDataException}.
 */
final class GoPclnTable {
    /** _PCDATA_InlTreeIndex and _FUNCDATA_InlTree in the runtime. */
    private static final int PCDATA_INLINE_TREE_INDEX = 2;
    private static final int FUNCDATA_INLINE_TREE = 3;
    private static final long NO_FUNCDATA = 0xffff_ffffL;
    /** Deeper than the compiler's inlining budget allows; more means a cycle in hostile data. */
    private static final int MAX_INLINE_DEPTH = 64;
    /** A functab key no table can contain: pcs below textStart or 4 GiB past it (1.18+). */
    private static final long NOT_COVERED = -1;

    /** The layout generations that changed the header, functab or _func. */
    private enum Layout {
        GO_1_16(0xfffffffaL, false, 0, 0, 0),
        GO_1_18(0xfffffff0L, true, 20, 12, 16),
        GO_1_20(0xfffffff1L, true, 16, 4, 8);

        final long magic;
        /** 1.18 added pcHeader.textStart and made functab and _func.entry 32-bit offsets from it. */
        final boolean entriesRelativeToText;
        /** runtime.inlinedCall: its size and where the callee's name and the call site's pc are. */
        final int inlinedCallSize;
        final int inlinedCallNameOffset;
        final int inlinedCallParentPcOffset;

        Layout(long magic, boolean entriesRelativeToText, int inlinedCallSize, int nameOffset, int parentPcOffset) {
            this.magic = magic;
            this.entriesRelativeToText = entriesRelativeToText;
            this.inlinedCallSize = inlinedCallSize;
            this.inlinedCallNameOffset = nameOffset;
            this.inlinedCallParentPcOffset = parentPcOffset;
        }

        static Optional<Layout> ofMagic(long magic) {
            for (Layout layout : values()) {
                if (layout.magic == magic) {
                    return Optional.of(layout);
                }
            }
            return Optional.empty();
        }

        /** Go 1.20 added _func.startLine, one more 4-byte field before the trailing bytes. */
        int funcFixedFieldCount() {
            return this == GO_1_20 ? 9 : 8;
        }
    }

    private final BoundedReader table;
    private final Layout layout;
    private final int pointerSize;
    private final int functionCount;
    private final long declaredTextStart;
    private final long textStart;
    private final long funcNameTableOffset;
    private final long cuTableOffset;
    private final long fileTableOffset;
    private final long funcTableOffset;
    private final GoPcValueTable pcValues;
    private final Optional<GoFuncData> goFuncData;

    private GoPclnTable(BoundedReader table, Layout layout, Header header, long textStart,
            Optional<GoFuncData> goFuncData) throws MalformedSymbolDataException {
        this.table = table;
        this.layout = layout;
        this.pointerSize = header.pointerSize;
        this.functionCount = header.functionCount;
        this.declaredTextStart = header.textStart;
        this.textStart = textStart;
        this.funcNameTableOffset = header.funcNameOffset;
        this.cuTableOffset = header.cuOffset;
        this.fileTableOffset = header.fileTableOffset;
        this.funcTableOffset = header.funcTableOffset;
        this.pcValues = new GoPcValueTable(table.from(header.pcTableOffset), header.pcQuantum);
        this.goFuncData = goFuncData;
    }

    /**
     * @param pclntab   the .gopclntab section (or the table found by {@link #findHeader})
     * @param textStart where the text the table describes starts: moduledata.text, which is the
     *                  .text section's address for a binary mapped at its link address
     */
    static GoPclnTable parse(BoundedReader pclntab, long textStart) throws MalformedSymbolDataException {
        return parse(pclntab, textStart, Optional.empty());
    }

    /** As {@link #parse(BoundedReader, long)}, plus inline trees read from {@code goFuncData}. */
    static GoPclnTable parse(BoundedReader table, long textStart, Optional<GoFuncData> goFuncData)
            throws MalformedSymbolDataException {
        long magic = table.u32(0);
        Layout layout = Layout.ofMagic(magic).orElseThrow(
                () -> table.malformed("unknown magic 0x" + Long.toHexString(magic)));
        return new GoPclnTable(table, layout, Header.read(table, layout), textStart, goFuncData);
    }

    /**
     * Where a valid pclntab header starts inside {@code memory}, for binaries whose section
     * headers are gone: the magic alone is four bytes that any data may contain, so each candidate
     * must also pass the whole header check, including that its first function's _func agrees
     * with the functab.
     */
    static OptionalInt findHeader(BoundedReader reader) {
        // The linker aligns runtime.pclntab to at least 4 bytes; the magic is a uint32.
        for (int offset = 0; offset + 8 <= reader.size(); offset += 4) {
            try {
                Optional<Layout> layout = Layout.ofMagic(reader.u32(offset));
                if (layout.isPresent()) {
                    BoundedReader candidate = reader.from(offset);
                    Header.read(candidate, layout.get());
                    return OptionalInt.of(offset);
                }
            } catch (MalformedSymbolDataException notAHeader) {
                // A false positive of the magic; keep scanning.
            }
        }
        return OptionalInt.empty();
    }

    /**
     * pcHeader.textStart as written by the linker (Go 1.18+; 0 for 1.16): the link-time text
     * address of a non-PIE binary, and 0 in a PIE file, where a dynamic relocation fills it in.
     */
    long declaredTextStart() {
        return declaredTextStart;
    }

    int functionCount() {
        return functionCount;
    }

    Optional<GoFunction> lookup(long pc) throws MalformedSymbolDataException {
        long key = functabKey(pc);
        if (key == NOT_COVERED || functionCount == 0 || Long.compareUnsigned(key, functabEntry(0)) < 0
                || Long.compareUnsigned(key, functabEntry(functionCount)) >= 0) {
            return Optional.empty();
        }
        int index = lastEntryAtOrBelow(key);
        Func func = new Func(funcTableOffset + functabFuncOffset(index));
        if (func.entry() != functabEntry(index)) {
            throw table.malformed("function " + index + "'s entry disagrees with the functab");
        }
        long entry = entryPc(functabEntry(index));
        String name = functionName(func.nameOffset());
        List<GoFrame> frames = new ArrayList<>();
        long framePc = pc;
        // Each inlined frame's call site is another pc of the same physical function.
        for (int inlineIndex = inlineTreeIndex(func, entry, pc); inlineIndex >= 0;
                inlineIndex = inlineTreeIndex(func, entry, framePc)) {
            if (frames.size() == MAX_INLINE_DEPTH) {
                throw table.malformed("inline tree deeper than " + MAX_INLINE_DEPTH + " at pc 0x" + Long.toHexString(pc));
            }
            InlinedCall call = inlinedCall(func, inlineIndex);
            frames.add(frameAt(func, functionName(call.nameOffset), entry, framePc));
            framePc = entry + call.parentPc;
        }
        frames.add(frameAt(func, name, entry, framePc));
        return Optional.of(new GoFunction(name, entry, frames));
    }

    private GoFrame frameAt(Func func, String function, long entry, long pc) throws MalformedSymbolDataException {
        int fileIndex = pcValues.valueAt(func.field(5), entry, pc);
        int line = pcValues.valueAt(func.field(6), entry, pc);
        return new GoFrame(function, fileName(func.field(8), fileIndex), line);
    }

    /** The functab stores 32-bit offsets from textStart since 1.18, absolute pcs before. */
    private long functabKey(long pc) {
        if (!layout.entriesRelativeToText) {
            return pc;
        }
        long offset = pc - textStart;
        return Long.compareUnsigned(pc, textStart) < 0 || offset > 0xffff_ffffL ? NOT_COVERED : offset;
    }

    private long entryPc(long functabEntry) {
        return layout.entriesRelativeToText ? textStart + functabEntry : functabEntry;
    }

    private int lastEntryAtOrBelow(long key) throws MalformedSymbolDataException {
        int low = 0;
        int high = functionCount - 1;
        while (low < high) {
            int middle = (low + high + 1) >>> 1;
            if (Long.compareUnsigned(functabEntry(middle), key) <= 0) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return low;
    }

    private long functabEntry(int index) throws MalformedSymbolDataException {
        return functabField(index, 0);
    }

    private long functabFuncOffset(int index) throws MalformedSymbolDataException {
        return functabField(index, 1);
    }

    private long functabField(int index, int field) throws MalformedSymbolDataException {
        int width = functabFieldSize(layout, pointerSize);
        return table.unsigned(funcTableOffset + ((long) index * 2 + field) * width, width);
    }

    private static int functabFieldSize(Layout layout, int pointerSize) {
        return layout.entriesRelativeToText ? 4 : pointerSize;
    }

    private String functionName(long nameOffset) throws MalformedSymbolDataException {
        return table.cString(funcNameTableOffset + nameOffset);
    }

    /** pcfile values index the function's compilation unit's slice of cutab, which points into filetab. */
    private String fileName(long cuOffset, int fileIndex) throws MalformedSymbolDataException {
        if (fileIndex < 0) {
            return "?";
        }
        long fileOffset = table.u32(cuTableOffset + (cuOffset + fileIndex) * 4);
        return table.cString(fileTableOffset + fileOffset);
    }

    private int inlineTreeIndex(Func func, long entry, long pc) throws MalformedSymbolDataException {
        if (goFuncData.isEmpty() || layout == Layout.GO_1_16 || func.pcdataCount() <= PCDATA_INLINE_TREE_INDEX
                || func.funcdataCount() <= FUNCDATA_INLINE_TREE || func.funcdata(FUNCDATA_INLINE_TREE) == NO_FUNCDATA) {
            return GoPcValueTable.NO_VALUE;
        }
        return pcValues.valueAt(func.pcdata(PCDATA_INLINE_TREE_INDEX), entry, pc);
    }

    private InlinedCall inlinedCall(Func func, int index) throws MalformedSymbolDataException {
        GoFuncData data = goFuncData.orElseThrow();
        BoundedReader memory = data.memory();
        long treeOffset = data.goFuncAddress() - data.memoryAddress() + func.funcdata(FUNCDATA_INLINE_TREE);
        long call = treeOffset + (long) index * layout.inlinedCallSize;
        return new InlinedCall(memory.u32(call + layout.inlinedCallNameOffset),
                memory.s32(call + layout.inlinedCallParentPcOffset));
    }

    /** The parts of runtime.inlinedCall a frame needs: the callee's name and the call site's pc offset. */
    private record InlinedCall(long nameOffset, int parentPc) {}

    /** A runtime._func record: fixed 4-byte fields after the entry, then pcdata and funcdata offsets. */
    private final class Func {
        private final long offset;

        Func(long offset) {
            this.offset = offset;
        }

        /** Field n counts 4-byte fields after the entry: 1 nameOff ... 5 pcfile, 6 pcln, 7 npcdata, 8 cuOffset. */
        long entry() throws MalformedSymbolDataException {
            return table.unsigned(offset, entrySize());
        }

        long field(int n) throws MalformedSymbolDataException {
            return table.u32(offset + entrySize() + (n - 1) * 4L);
        }

        long nameOffset() throws MalformedSymbolDataException {
            return field(1);
        }

        long pcdataCount() throws MalformedSymbolDataException {
            return field(7);
        }

        /** nfuncdata is the last byte of the fixed part: funcID, flag, pad, nfuncdata. */
        int funcdataCount() throws MalformedSymbolDataException {
            return table.u8(fixedEnd() - 1);
        }

        long pcdata(int index) throws MalformedSymbolDataException {
            return table.u32(fixedEnd() + index * 4L);
        }

        long funcdata(int index) throws MalformedSymbolDataException {
            return table.u32(fixedEnd() + (pcdataCount() + index) * 4L);
        }

        private int entrySize() {
            return layout.entriesRelativeToText ? 4 : pointerSize;
        }

        private long fixedEnd() {
            return offset + entrySize() + layout.funcFixedFieldCount() * 4L + 4;
        }
    }

    /** pcHeader, validated so that every table it points to lies inside the section. */
    private record Header(int pcQuantum, int pointerSize, int functionCount, long textStart, long funcNameOffset,
            long cuOffset, long fileTableOffset, long pcTableOffset, long funcTableOffset) {

        static Header read(BoundedReader table, Layout layout) throws MalformedSymbolDataException {
            if (table.u8(4) != 0 || table.u8(5) != 0) {
                throw table.malformed("nonzero header padding");
            }
            int pcQuantum = table.u8(6);
            if (pcQuantum != 1 && pcQuantum != 2 && pcQuantum != 4) {
                throw table.malformed("minimum instruction size " + pcQuantum);
            }
            int pointerSize = table.u8(7);
            if (pointerSize != 4 && pointerSize != 8) {
                throw table.malformed("pointer size " + pointerSize);
            }
            List<Long> words = new ArrayList<>();
            int wordCount = layout.entriesRelativeToText ? 8 : 7;
            for (int i = 0; i < wordCount; i++) {
                words.add(table.unsigned(8 + (long) i * pointerSize, pointerSize));
            }
            int next = 0;
            long functionCount = words.get(next++);
            next++; // nfiles: the file table is reached through cutab offsets, never counted through
            long textStart = layout.entriesRelativeToText ? words.get(next++) : 0;
            long funcNameOffset = words.get(next++);
            long cuOffset = words.get(next++);
            long fileTableOffset = words.get(next++);
            long pcTableOffset = words.get(next++);
            long funcTableOffset = words.get(next);
            long headerEnd = 8 + (long) wordCount * pointerSize;
            long[] ascending = {headerEnd, funcNameOffset, cuOffset, fileTableOffset, pcTableOffset, funcTableOffset};
            for (int i = 1; i < ascending.length; i++) {
                if (Long.compareUnsigned(ascending[i], ascending[i - 1]) < 0 || !table.contains(ascending[i])) {
                    throw table.malformed("table offsets out of order or outside the section");
                }
            }
            int fieldSize = functabFieldSize(layout, pointerSize);
            // functab holds nfunc (entry, func) pairs and one closing entry; it must fit.
            long available = (table.size() - funcTableOffset) / fieldSize;
            if (functionCount < 0 || functionCount > (available - 1) / 2) {
                throw table.malformed("function count " + Long.toUnsignedString(functionCount)
                        + " does not fit the section");
            }
            Header header = new Header(pcQuantum, pointerSize, (int) functionCount, textStart, funcNameOffset,
                    cuOffset, fileTableOffset, pcTableOffset, funcTableOffset);
            header.checkFirstFunction(table, layout);
            return header;
        }

        /** The first _func must repeat the functab's entry: a cheap proof that this is a real table. */
        private void checkFirstFunction(BoundedReader table, Layout layout) throws MalformedSymbolDataException {
            if (functionCount == 0) {
                return;
            }
            int fieldSize = functabFieldSize(layout, pointerSize);
            long entry = table.unsigned(funcTableOffset, fieldSize);
            long funcOffset = table.unsigned(funcTableOffset + fieldSize, fieldSize);
            int entrySize = layout.entriesRelativeToText ? 4 : pointerSize;
            if (table.unsigned(funcTableOffset + funcOffset, entrySize) != entry) {
                throw table.malformed("first function's entry disagrees with the functab");
            }
        }
    }
}
