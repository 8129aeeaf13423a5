package io.nodescope.symbol;

/**
 * Decodes one of Go's pc-value tables (pcfile, pcln, pcdata): a run of (value delta, pc delta)
 * pairs starting from value -1 at the function entry, ended by a zero value delta. The value of a
 * pair holds for pcs below the pc it advances to. Layout as in the Go runtime's pcvalue/step.
 */
final class GoPcValueTable {
    /** What the runtime answers when a table is absent or the pc is past its end. */
    static final int NO_VALUE = -1;

    private final BoundedReader pctab;
    private final int pcQuantum;

    /** {@code pcQuantum} is the header's minimum instruction size: pc deltas count in its units. */
    GoPcValueTable(BoundedReader pctab, int pcQuantum) {
        this.pctab = pctab;
        this.pcQuantum = pcQuantum;
    }

    int valueAt(long tableOffset, long entry, long targetPc) throws MalformedSymbolDataException {
        if (tableOffset == 0) {
            return NO_VALUE;
        }
        Cursor cursor = new Cursor(pctab, tableOffset);
        int value = NO_VALUE;
        long pc = entry;
        boolean first = true;
        // Each pass consumes at least two bytes of a bounded table, so the loop ends.
        while (true) {
            // The end mark is a single zero byte, not any encoding of zero, as in the runtime.
            if (pctab.u8(cursor.position()) == 0 && !first) {
                return NO_VALUE;
            }
            long valueDelta = cursor.uleb128() & 0xffff_ffffL;
            first = false;
            // Zig-zag: the low bit is the sign, as in Go's step().
            value += (int) ((valueDelta >>> 1) ^ -(valueDelta & 1));
            long pcDelta = cursor.uleb128() & 0xffff_ffffL;
            pc += pcDelta * pcQuantum;
            if (Long.compareUnsigned(targetPc, pc) < 0) {
                return value;
            }
        }
    }
}
