package io.nodescope.symbol;

import java.util.List;
import java.util.Optional;

/** file:line from DWARF .debug_line, which names no functions: the ELF symbol table does that. */
final class DwarfSourceLocator implements SourceLocator {
    private final DwarfLineTable table;

    private DwarfSourceLocator(DwarfLineTable table) {
        this.table = table;
    }

    static boolean hasLineTable(ElfFile file) {
        return file.sectionHeader(".debug_line").filter(section -> section.type() != ElfFile.SHT_NOBITS).isPresent();
    }

    /**
     * Runs the whole line program now, once per module: lookups are then a binary search, and the
     * table's size is known when the module enters the cache.
     */
    static Optional<SourceLocator> of(ElfFile file) throws MalformedSymbolDataException {
        if (!hasLineTable(file)) {
            return Optional.empty();
        }
        return Optional.of(new DwarfSourceLocator(DwarfLineTable.parse(file.section(".debug_line").orElseThrow(),
                file.section(".debug_line_str"), file.section(".debug_str"))));
    }

    @Override
    public List<SourceLocation> locate(long elfAddress) {
        return table.lookup(elfAddress)
                .map(line -> List.of(new SourceLocation(Optional.empty(), Optional.empty(), line.file(), line.line())))
                .orElse(List.of());
    }

    @Override
    public long retainedBytes() {
        return table.retainedBytes();
    }
}
