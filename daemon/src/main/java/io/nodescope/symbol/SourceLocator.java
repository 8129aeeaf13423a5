package io.nodescope.symbol;

import java.util.Optional;

/**
 * The seam where a module's source-level tables are consulted: {@code GoPclnTable} (.gopclntab) and
 * {@code DwarfLineTable} (.debug_line), which parse section bytes from {@link ElfFile#section}. Each
 * module gets one locator from {@link #forModule}; the symbolizer asks it after the ELF symbol table.
 */
interface SourceLocator {
    SourceLocator NONE = address -> Optional.empty();

    /** @param elfAddress the address as the module's ELF file sees it (after the load bias is removed) */
    Optional<SourceLocation> locate(long elfAddress);

    /**
     * The locator for a module: its debug file's line table where there is one, else the binary's.
     * Until GoPclnTable and DwarfLineTable land (another branch), no module has source locations; they
     * plug in here and nowhere else: build them from {@code binary.section(".gopclntab")} and
     * {@code debugFile.orElse(binary).section(".debug_line")} and chain them.
     */
    static SourceLocator forModule(ElfFile binary, Optional<ElfFile> debugFile) {
        return NONE;
    }
}
