package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.testing.RepositoryRoot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile call frame information and hostile stacks: the committed .eh_frame corpus
 * (symbol/make-cfi-corpus.py, one defect per file, also SymbolParsersFuzzTest's seeds) must be
 * rejected with {@link MalformedSymbolDataException}; truncated and mutated real sections must
 * answer or be rejected, nothing else; expressions that loop and stacks that recurse or hold garbage
 * must end within the bounds.
 */
class MalformedCallFrameInfoTest {
    private static final Path SEEDS = RepositoryRoot.find()
            .resolve("daemon/src/test/resources/io/nodescope/symbol/SymbolParsersFuzzTestInputs/callFrameInformation");
    private static final Path LIBC = Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6");
    private static final long LIBC_BASE = 0x7f0000000000L;
    private static final long STACK = 0x7ffd00000000L;

    static Stream<Path> malformedSections() throws IOException {
        try (Stream<Path> listing = Files.list(SEEDS)) {
            List<Path> files = listing.filter(file -> !file.getFileName().toString().endsWith("-valid.bin")).sorted()
                    .toList();
            assertTrue(files.size() >= 15, "corpus present: " + files.size());
            return files.stream();
        }
    }

    private static UnwindTable table(byte[] section) throws MalformedSymbolDataException {
        return UnwindTable.fromSection(BoundedReader.littleEndian(ByteBuffer.wrap(section), ".eh_frame"),
                CfiParsers.SECTION_ADDRESS, CallFrameInfo.Format.EH_FRAME);
    }

    @ParameterizedTest
    @MethodSource("malformedSections")
    void malformedSectionsAreRejected(Path file) {
        assertThrows(MalformedSymbolDataException.class, () -> table(Files.readAllBytes(file)));
    }

    @Test
    void validSeedsGiveTheirRules() throws Exception {
        RegisterRules framePointer = table(Files.readAllBytes(SEEDS.resolve("eh_frame-frame-pointer-function-valid.bin")))
                .rulesAt(0x1004);
        assertEquals(RegisterRules.RBP, framePointer.cfaRegister);
        assertEquals(16, framePointer.cfaOffset);
        assertEquals(-16, framePointer.operands[RegisterRules.RBP]);
        assertTrue(table(Files.readAllBytes(SEEDS.resolve("eh_frame-plt-expression-valid.bin"))).rulesAt(0x1000)
                .cfaIsExpression());
        RegisterRules signal = table(Files.readAllBytes(SEEDS.resolve("eh_frame-signal-frame-valid.bin"))).rulesAt(0x10ff);
        assertTrue(signal.signalFrame);
        assertEquals(RegisterRules.EXPRESSION, signal.kinds[RegisterRules.RETURN_ADDRESS]);
    }

    @Test
    void aFunctionWithMoreDistinctRulesThanTheCapIsRefused() throws Exception {
        ByteBuffer section = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        byte[] cie = {0, 0, 0, 0, 1, 'z', 'R', 0, 1, 0x78, 16, 1, 0x1b, 0x0c, 0x07, 0x08, (byte) 0x90, 0x01, 0, 0};
        section.putInt(cie.length).put(cie);
        int fdeStart = section.position();
        section.putInt(0).putInt(fdeStart + 4); // length, patched below; the CIE pointer back to offset 0
        section.putInt((int) (0x1000 - (CfiParsers.SECTION_ADDRESS + section.position()))).putInt(0x100000).put((byte) 0);
        for (int offset = 16; offset < 16 + 8 * (UnwindTable.MAX_DISTINCT_RULES + 10); offset += 8) {
            section.put((byte) 0x41).put((byte) 0x0e); // advance 1; a new CFA offset: a new rule set
            for (int value = offset; ; value >>>= 7) {
                section.put((byte) (value >>> 7 == 0 ? value & 0x7f : (value & 0x7f) | 0x80));
                if (value >>> 7 == 0) {
                    break;
                }
            }
        }
        while ((section.position() - fdeStart) % 4 != 0) {
            section.put((byte) 0);
        }
        section.putInt(fdeStart, section.position() - fdeStart - 4).putInt(0);
        byte[] bytes = java.util.Arrays.copyOf(section.array(), section.position());
        MalformedSymbolDataException refused = assertThrows(MalformedSymbolDataException.class, () -> table(bytes));
        assertTrue(refused.getMessage().contains("distinct rule sets"), refused.getMessage());
    }

    private static byte[] libcEhFrame() throws Exception {
        BoundedReader section = SymbolTestBinaries.parse(LIBC).ehFrame().orElseThrow();
        byte[] bytes = new byte[section.size()];
        section.buffer().get(bytes);
        return bytes;
    }

    @Test
    void truncatedAndMutatedRealSectionsAnswerOrAreRejected() throws Exception {
        byte[] ehFrame = libcEhFrame();
        int rejected = 0;
        for (int length = 0; length < ehFrame.length; length += ehFrame.length / 200) {
            rejected += answersOrRejects(java.util.Arrays.copyOf(ehFrame, length));
        }
        SplittableRandom random = new SplittableRandom(0xcf1);
        for (int round = 0; round < 300; round++) {
            byte[] mutated = ehFrame.clone();
            for (int flips = 1 + random.nextInt(16); flips > 0; flips--) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            rejected += answersOrRejects(mutated);
        }
        assertTrue(rejected > 0, "no damage was noticed: are the mutations reaching the parser?");
    }

    /** 1 when rejected, 0 when answered; any other exception escapes and fails the test. */
    private static int answersOrRejects(byte[] section) {
        try {
            UnwindTable table = table(section);
            for (long address = 0x26000; address < 0x30000; address += 0x33) {
                table.rulesAt(address);
            }
            return 0;
        } catch (MalformedSymbolDataException expected) {
            return 1;
        }
    }

    @Test
    void expressionsThatLoopOrOverflowEndWithinTheirBounds() {
        DwarfExpression expression = new DwarfExpression();
        byte[] skipToItself = {0x2f, (byte) 0xfd, (byte) 0xff};
        assertFalse(expression.evaluate(skipToItself, false, 0, CfiParsers.FixedFrame.INSTANCE));
        byte[] pushForever = {0x30, 0x12, 0x2f, (byte) 0xfc, (byte) 0xff}; // lit0; dup; skip back to dup
        assertFalse(expression.evaluate(pushForever, false, 0, CfiParsers.FixedFrame.INSTANCE));
        byte[] plt = {0x77, 0x08, (byte) 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22};
        assertTrue(expression.evaluate(plt, false, 0, CfiParsers.FixedFrame.INSTANCE));
        // rsp + 8, plus 8 when (rip & 15) >= 11: FixedFrame's rip (r16) is 0x7ffe0080, so + 0.
        assertEquals(0x7ffe0000L + 8 * 7 + 8, expression.result());
    }

    private final Symbolizer symbolizer = Symbolizer.create(Path.of("/proc"), new MetricsRegistry());

    private static UserStack stack(long rip, long rsp, long rbp, byte[] bytes) {
        return new UserStack(new UserStack.Registers(rip, rsp, rbp, 0, 0, 0, 0, 0), ByteBuffer.wrap(bytes));
    }

    /** An address in libc whose rules, and those of the byte before, are a leaf's: CFA rsp + 8. */
    private static long leafAddress() throws Exception {
        UnwindTable table = UnwindTable.build(SymbolTestBinaries.parse(LIBC), Optional.empty());
        for (long address = 0x30000; ; address += 16) {
            RegisterRules here = table.rulesAt(address);
            RegisterRules before = table.rulesAt(address - 1);
            if (here != null && before != null && here == before && !here.cfaIsExpression()
                    && here.cfaRegister == RegisterRules.RSP && here.cfaOffset == 8) {
                return address;
            }
        }
    }

    @Test
    void aStackRecursingForeverStopsAtTheFrameLimit() throws Exception {
        long leaf = LIBC_BASE + leafAddress();
        ByteBuffer recursion = ByteBuffer.allocate(16384).order(ByteOrder.LITTLE_ENDIAN);
        while (recursion.hasRemaining()) {
            recursion.putLong(leaf); // Every frame returns to the same leaf, forever.
        }
        try (ProcessSnapshot snapshot = MappedSnapshots.of(List.of(new MappedSnapshots.Mapping(LIBC, LIBC_BASE)), null)) {
            UnwoundStack unwound = symbolizer.unwindUser(snapshot, stack(leaf, STACK, 0, recursion.array()));
            assertEquals(UnwoundStack.End.FRAME_LIMIT, unwound.end());
            assertEquals(StackUnwinder.MAX_FRAMES, unwound.addresses().size());
        }
    }

    @Test
    void framePointersThatLoopOrPointDownEndTheWalk() throws Exception {
        long[] jit = {0x10000000L, 0x10100000L};
        ByteBuffer frames = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        frames.putLong(0, STACK + 16).putLong(8, jit[0] + 0x20); // frame 1: [rbp] = next rbp, [rbp+8] = ra
        frames.putLong(16, STACK + 16).putLong(24, jit[0] + 0x30); // frame 2 points at itself
        try (ProcessSnapshot snapshot = MappedSnapshots.of(List.of(), jit)) {
            UnwoundStack unwound = symbolizer.unwindUser(snapshot, stack(jit[0] + 0x10, STACK, STACK, frames.array()));
            assertEquals(List.of(jit[0] + 0x10, jit[0] + 0x20, jit[0] + 0x30), unwound.addresses());
            assertEquals(UnwoundStack.End.NO_UNWIND_INFO, unwound.end());
        }
    }

    @Test
    void garbageStacksOverRealLibcEndWithinTheBounds() throws Exception {
        long leaf = LIBC_BASE + leafAddress();
        SplittableRandom random = new SplittableRandom(0x57ac);
        List<UnwoundStack.End> ends = new ArrayList<>();
        try (ProcessSnapshot snapshot = MappedSnapshots.of(List.of(new MappedSnapshots.Mapping(LIBC, LIBC_BASE)), null)) {
            for (int round = 0; round < 2000; round++) {
                ByteBuffer garbage = ByteBuffer.allocate(random.nextInt(4096)).order(ByteOrder.LITTLE_ENDIAN);
                while (garbage.remaining() >= 8) {
                    // Code addresses near the leaf, stack addresses, and noise.
                    garbage.putLong(switch (random.nextInt(3)) {
                        case 0 -> leaf + random.nextInt(-0x8000, 0x8000);
                        case 1 -> STACK + random.nextInt(-64, 4096);
                        default -> random.nextLong();
                    });
                }
                long rip = leaf + random.nextInt(-0x10000, 0x10000);
                UnwoundStack unwound = symbolizer.unwindUser(snapshot,
                        stack(rip, STACK, STACK + random.nextInt(0, 4096), garbage.array()));
                assertNotNull(unwound.end());
                assertTrue(unwound.addresses().size() <= StackUnwinder.MAX_FRAMES);
                assertEquals(unwound.addresses().size(), unwound.lookupAddresses().size());
                ends.add(unwound.end());
            }
        }
        assertTrue(ends.stream().distinct().count() >= 3, "garbage meets several stops: " + ends.stream().distinct().toList());
    }
}
