package io.nodescope.symbol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Jazzer fuzz tests of the symbol parsers: any exception other than
 * {@link MalformedSymbolDataException}, a hang or an out-of-memory is a finding. In a plain
 * {@code mvn test} they run once over the seed inputs in SymbolParsersFuzzTestInputs/ (regression
 * mode); with JAZZER_FUZZ=1 each one fuzzes for at most its maxDuration (README.md, Testing).
 */
class SymbolParsersFuzzTest {
    /** Whole files, as the symbolizer maps them: the ELF reader and everything indexing reaches from it. */
    @FuzzTest(maxDuration = "60s")
    void elfFile(byte[] file) {
        ElfParsers.exercise(ByteBuffer.wrap(file));
    }

    /** An x86-64 Go binary's usual text start, so that fuzzed entries land near real pcs. */
    private static final long GO_TEXT_START = 0x401000;

    @FuzzTest(maxDuration = "30s")
    void goPclnTable(FuzzedDataProvider data) {
        long pcOffset = data.consumeLong(0, 1 << 20);
        byte[] table = data.consumeRemainingAsBytes();
        try {
            GoPclnTable.parse(BoundedReader.littleEndian(ByteBuffer.wrap(table), ".gopclntab"), GO_TEXT_START).lookup(GO_TEXT_START + pcOffset);
        } catch (MalformedSymbolDataException expected) {
            // Hostile input rejected the way the symbolizer counts it.
        }
        GoPclnTable.findHeader(BoundedReader.littleEndian(ByteBuffer.wrap(table), "memory"));
    }

    @FuzzTest(maxDuration = "30s")
    void dwarfLineTable(FuzzedDataProvider data) {
        long address = data.consumeLong(0, 1 << 20);
        byte[] lineStrings = data.consumeBytes(data.consumeInt(0, 256));
        byte[] lines = data.consumeRemainingAsBytes();
        try {
            DwarfLineTable.parse(BoundedReader.littleEndian(ByteBuffer.wrap(lines), ".debug_line"),
                    Optional.of(BoundedReader.littleEndian(ByteBuffer.wrap(lineStrings), ".debug_line_str")),
                    Optional.empty()).lookup(address);
        } catch (MalformedSymbolDataException expected) {
            // Hostile input rejected the way the symbolizer counts it.
        }
    }

    /** .eh_frame or .debug_frame contents: CIEs, FDEs, DW_CFA programs and the expressions in their rules. */
    @FuzzTest(maxDuration = "30s")
    void callFrameInformation(byte[] section) {
        CfiParsers.exercise(section);
    }
}
