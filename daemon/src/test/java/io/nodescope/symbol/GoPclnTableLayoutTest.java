package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The layouts Debian's Go 1.19 cannot produce (1.20+ with _func.startLine and the 16-byte
 * inlinedCall, and 1.16 with pointer-sized entries), as hand-built one-function tables: outer at
 * line 10, with inner inlined at [0x10, 0x20) on line 20, called from outer's pc 0x4.
 */
class GoPclnTableLayoutTest {
    private static final long TEXT = 0x401000;
    private static final long GO_FUNC = 0x500000;
    private static final int OUTER_NAME = 0;
    private static final int INNER_NAME = 11;
    private static final byte[] NAMES = "main.outer\0main.inner\0".getBytes(StandardCharsets.US_ASCII);
    /** pcfile: file 0 for [0, 0x20). */
    private static final byte[] PCFILE = {2, 0x20, 0};
    /** pcln: line 10 for [0, 0x10), 20 for [0x10, 0x20); zig-zag deltas from -1. */
    private static final byte[] PCLN = {22, 0x10, 20, 0x10, 0};
    /** Inline tree index: -1 for [0, 0x10), 0 for [0x10, 0x20). */
    private static final byte[] INLINE_INDEX = {0, 0x10, 2, 0x10, 0};

    @Test
    void go120LayoutResolvesInlinedFramesInnermostFirst() throws Exception {
        GoPclnTable table = GoPclnTable.parse(reader(go120Table()), TEXT, Optional.of(inlineTree(0x4)));

        GoFunction function = table.lookup(TEXT + 0x18).orElseThrow();

        assertEquals("main.outer", function.name());
        assertEquals(TEXT, function.entry());
        assertEquals(List.of(new GoFrame("main.inner", "/src/x.go", 20), new GoFrame("main.outer", "/src/x.go", 10)),
                function.frames());
    }

    @Test
    void withoutTheInlineTreeThePcKeepsItsInnermostLineUnderTheOuterName() throws Exception {
        GoFunction function = GoPclnTable.parse(reader(go120Table()), TEXT).lookup(TEXT + 0x18).orElseThrow();

        assertEquals(List.of(new GoFrame("main.outer", "/src/x.go", 20)), function.frames());
    }

    @Test
    void pcsOutsideTheTableResolveToNothing() throws Exception {
        GoPclnTable table = GoPclnTable.parse(reader(go120Table()), TEXT);

        assertEquals(Optional.empty(), table.lookup(TEXT - 1));
        assertEquals(Optional.empty(), table.lookup(TEXT + 0x20));
    }

    @Test
    void anInlineTreeThatLoopsIsRejectedNotFollowedForever() throws Exception {
        // The call site lies inside the inlined range again: a cycle only hostile data has.
        GoPclnTable table = GoPclnTable.parse(reader(go120Table()), TEXT, Optional.of(inlineTree(0x18)));

        assertThrows(MalformedSymbolDataException.class, () -> table.lookup(TEXT + 0x18));
    }

    @Test
    void go116LayoutResolvesNameFileAndLine() throws Exception {
        GoFunction function = GoPclnTable.parse(reader(go116Table()), 0).lookup(TEXT + 0x4).orElseThrow();

        assertEquals(List.of(new GoFrame("main.outer", "/src/x.go", 10)), function.frames());
        assertEquals(TEXT, function.entry());
    }

    /** 1.20+: 8-word header with textStart, 32-bit functab, _func with startLine. */
    private static ByteBuffer go120Table() {
        Tables tables = new Tables(0x48);
        ByteBuffer header = little(0x48).putInt(0xfffffff1).put((byte) 0).put((byte) 0).put((byte) 1).put((byte) 8)
                .putLong(1).putLong(1).putLong(TEXT).putLong(tables.names).putLong(tables.cu).putLong(tables.files)
                .putLong(tables.pc).putLong(tables.functab);
        ByteBuffer functab = little(12 + 48).putInt(0).putInt(12).putInt(0x20)
                // _func: entryOff, nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata, cuOffset, startLine
                .putInt(0).putInt(OUTER_NAME).putInt(0).putInt(0).putInt(0).putInt(tables.pcfile).putInt(tables.pcln)
                .putInt(3).putInt(0).putInt(10)
                // funcID, flag, pad, nfuncdata = 4; pcdata[3]; funcdata[4] with the tree at go:func.*+0
                .put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 4);
        functab = grow(functab, 28).putInt(0).putInt(0).putInt(tables.inlineIndex)
                .putInt(-1).putInt(-1).putInt(-1).putInt(0);
        return tables.assemble(header, functab);
    }

    /** 1.16: 7-word header without textStart, pointer-sized functab and _func entry. */
    private static ByteBuffer go116Table() {
        Tables tables = new Tables(0x40);
        ByteBuffer header = little(0x40).putInt(0xfffffffa).put((byte) 0).put((byte) 0).put((byte) 1).put((byte) 8)
                .putLong(1).putLong(1).putLong(tables.names).putLong(tables.cu).putLong(tables.files)
                .putLong(tables.pc).putLong(tables.functab);
        ByteBuffer functab = little(24 + 44).putLong(TEXT).putLong(24).putLong(TEXT + 0x20)
                .putLong(TEXT).putInt(OUTER_NAME).putInt(0).putInt(0).putInt(0).putInt(tables.pcfile).putInt(tables.pcln)
                .putInt(0).putInt(0)
                .put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        return tables.assemble(header, functab);
    }

    /** A Go 1.20 runtime.inlinedCall of inner, whose call site is outer's pc {@code parentPc}. */
    private static GoFuncData inlineTree(int parentPc) {
        ByteBuffer call = little(16).put((byte) 0).put(new byte[3]).putInt(INNER_NAME).putInt(parentPc).putInt(15);
        return new GoFuncData(reader(call.flip()), GO_FUNC, GO_FUNC);
    }

    /** Offsets of the tables that follow the header, in the order pcHeader lists them. */
    private static final class Tables {
        final int names;
        final int cu;
        final int files;
        final int pc;
        final int pcfile;
        final int pcln;
        final int inlineIndex;
        final int functab;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        Tables(int headerSize) {
            names = headerSize;
            body.writeBytes(NAMES);
            cu = headerSize + body.size();
            body.writeBytes(little(4).putInt(0).array());
            files = headerSize + body.size();
            body.writeBytes("/src/x.go\0".getBytes(StandardCharsets.US_ASCII));
            pc = headerSize + body.size();
            body.write(0); // offset 0 means "no table", so the first table starts at 1
            pcfile = 1;
            body.writeBytes(PCFILE);
            pcln = pcfile + PCFILE.length;
            body.writeBytes(PCLN);
            inlineIndex = pcln + PCLN.length;
            body.writeBytes(INLINE_INDEX);
            functab = headerSize + body.size();
        }

        ByteBuffer assemble(ByteBuffer header, ByteBuffer functab) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(header.array());
            all.writeBytes(body.toByteArray());
            all.writeBytes(Arrays.copyOf(functab.array(), functab.position()));
            return ByteBuffer.wrap(all.toByteArray());
        }
    }

    private static BoundedReader reader(ByteBuffer table) {
        return BoundedReader.littleEndian(table, "hand-built table");
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer grow(ByteBuffer buffer, int more) {
        ByteBuffer bigger = little(buffer.capacity() + more);
        bigger.put(buffer.array(), 0, buffer.position());
        return bigger;
    }
}
