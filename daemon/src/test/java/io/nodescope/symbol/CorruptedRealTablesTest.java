package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.testing.RequiresTools;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Generated malformed inputs: real tables from the test binaries, truncated and with bytes
 * overwritten. Every result must be either an answer or {@link MalformedSymbolDataException}; any
 * other exception fails the test. A fixed seed keeps a failure reproducible.
 */
@RequiresTools(value = {"go", "gcc", "addr2line", "nm"}, install = "apt-get install golang-go gcc binutils")
class CorruptedRealTablesTest {
    private static final long SEED = 0x5eed_3a11L;
    private static final int CORRUPTIONS = 2_000;

    @Test
    void truncatedDebugLineIsRejected() throws Exception {
        byte[] lines = bytes(SymbolTestBinaries.parse(CTestProgram.build("dwarf5-pie", List.of("-gdwarf-5")))
                .section(".debug_line").orElseThrow());
        // Any cut inside a unit leaves a unit whose length runs past the end.
        for (int length = 1; length < lines.length; length += 7) {
            BoundedReader truncated = reader(ByteBuffer.wrap(lines, 0, length));
            assertThrows(MalformedSymbolDataException.class,
                    () -> DwarfLineTable.parse(truncated, Optional.empty(), Optional.empty()));
        }
    }

    @Test
    void corruptedDebugLineAnswersOrIsRejected() throws Exception {
        ElfFile elf = SymbolTestBinaries.parse(CTestProgram.build("dwarf5-pie", List.of("-gdwarf-5")));
        byte[] lines = bytes(elf.section(".debug_line").orElseThrow());
        Optional<BoundedReader> lineStrings = elf.section(".debug_line_str");
        SplittableRandom random = new SplittableRandom(SEED);
        int rejected = 0;
        for (int i = 0; i < CORRUPTIONS; i++) {
            byte[] corrupted = corrupt(lines, random);
            try {
                DwarfLineTable.parse(reader(ByteBuffer.wrap(corrupted)), lineStrings, Optional.empty())
                        .lookup(random.nextLong(0x2000));
            } catch (MalformedSymbolDataException expected) {
                rejected++;
            }
        }
        assertTrue(rejected > 0, "no corruption was noticed: are the corruptions reaching the parser?");
    }

    @Test
    void corruptedGoPclnTableAnswersOrIsRejected() throws Exception {
        ElfFile elf = SymbolTestBinaries.parse(GoTestProgram.plain());
        byte[] table = bytes(elf.section(".gopclntab").orElseThrow());
        long textStart = elf.sectionHeader(".text").orElseThrow().address();
        long allocate = GoTestProgram.symbols().get("main.allocate");
        SplittableRandom random = new SplittableRandom(SEED);
        int rejected = 0;
        for (int i = 0; i < CORRUPTIONS; i++) {
            byte[] corrupted = corrupt(table, random);
            try {
                GoPclnTable parsed = GoPclnTable.parse(reader(ByteBuffer.wrap(corrupted)), textStart);
                parsed.lookup(allocate);
                parsed.lookup(textStart + random.nextLong(0x80000));
            } catch (MalformedSymbolDataException expected) {
                rejected++;
            }
        }
        assertTrue(rejected > 0, "no corruption was noticed: are the corruptions reaching the parser?");
    }

    /**
     * Half the time a cut, half the time a few bytes overwritten, biased to the first kilobytes
     * where the headers and the functab are.
     */
    private static byte[] corrupt(byte[] original, SplittableRandom random) {
        int span = random.nextBoolean() ? Math.min(original.length, 4096) : original.length;
        if (random.nextBoolean()) {
            return Arrays.copyOf(original, random.nextInt(span));
        }
        byte[] copy = original.clone();
        for (int n = random.nextInt(1, 5); n > 0; n--) {
            copy[random.nextInt(span)] = (byte) random.nextInt(256);
        }
        return copy;
    }

    private static byte[] bytes(BoundedReader section) {
        ByteBuffer buffer = section.buffer();
        byte[] copy = new byte[buffer.remaining()];
        buffer.get(copy);
        return copy;
    }

    private static BoundedReader reader(ByteBuffer bytes) {
        return BoundedReader.littleEndian(bytes, "corrupted");
    }
}
