package io.nodescope.symbol;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Every parser reachable from one file's bytes (ELF, symbols, notes, MiniDebugInfo, and the Go or DWARF
 * table the source locator picks), called the way the symbolizer calls them when it indexes a module: the property under test (fuzzing, truncations, mutations) is that they either answer or
 * throw {@link MalformedSymbolDataException}; any other exception, a hang or an out-of-memory is a bug
 * the daemon would meet in some container.
 */
final class ElfParsers {
    private ElfParsers() {}

    static void exercise(ByteBuffer bytes) {
        try {
            ElfFile file = ElfFile.parse(bytes);
            file.buildId();
            file.debugLink();
            file.ehFrame();
            file.ehFrameHeader();
            file.textSegment();
            file.virtualAddressOf(0x1000);
            for (ElfFile.Section section : file.sections()) {
                file.section(section.name());
            }
            SymbolTable symbols = ElfSymbols.parse(bytes);
            for (long address = 0; address < 0x10000; address += 0x40) {
                symbols.lookup(address);
            }
            MiniDebugInfo.of(file).ifPresent(mini -> mini.sections().size());
            UnwindTable unwind = UnwindTable.build(file, Optional.empty());
            for (long address = 0x1000; address < 0x2000; address += 0x10) {
                unwind.rulesAt(address);
            }
            SourceLocator lines = SourceLocator.forModule(file, Optional.empty());
            for (long address = 0x401000; address < 0x402000; address += 0x100) {
                lines.locate(address);
            }
        } catch (MalformedSymbolDataException expected) {
            // The one way to reject input.
        }
    }
}
