package io.nodescope.symbol;

import java.util.List;
import java.util.Optional;

/**
 * A module's source-level table: Go's .gopclntab ({@link GoSourceLocator}) or DWARF .debug_line
 * ({@link DwarfSourceLocator}). Each module gets one locator from {@link #forModule}, built when the
 * module is indexed and cached with it; the symbolizer asks it after the ELF symbol table.
 */
interface SourceLocator {
    SourceLocator NONE = new SourceLocator() {
        @Override
        public List<SourceLocation> locate(long elfAddress) {
            return List.of();
        }

        @Override
        public long retainedBytes() {
            return 0;
        }
    };

    /**
     * @param elfAddress the address as the module's ELF file sees it (after the load bias is removed)
     * @return the source positions at the address, innermost first: more than one where calls were
     *         inlined and the table records it, the last being the physical function; empty when
     *         the table does not cover the address
     */
    List<SourceLocation> locate(long elfAddress) throws MalformedSymbolDataException;

    /** Heap the parsed table keeps, for the module cache's memory bound. */
    long retainedBytes();

    /**
     * The locator for a module. A Go binary's pclntab wins over its DWARF: it survives stripping, names
     * the functions and records inlining. Otherwise the line table of the debug file where there is
     * one (a stripped binary keeps none; MiniDebugInfo carries only a symbol table), else the binary's.
     */
    static SourceLocator forModule(ElfFile binary, Optional<ElfFile> debugFile) throws MalformedSymbolDataException {
        Optional<SourceLocator> go = GoSourceLocator.of(binary);
        if (go.isPresent()) {
            return go.get();
        }
        ElfFile lines = debugFile.filter(DwarfSourceLocator::hasLineTable).orElse(binary);
        return DwarfSourceLocator.of(lines).orElse(NONE);
    }
}
