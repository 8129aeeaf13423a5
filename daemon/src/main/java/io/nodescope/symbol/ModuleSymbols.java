package io.nodescope.symbol;

import java.util.Optional;

/**
 * Everything known about one mapped ELF file's code: its PT_LOAD layout (to undo the load bias), its
 * merged function symbols and its source locator with its parsed line or pclntab table. Immutable after indexing and shared by every
 * process that maps the same file or the same build-id.
 *
 * @param debugFile      the separate debug file found for it, kept for its .debug_frame (unwinding)
 * @param extraHeapBytes heap the module keeps beyond its symbol arrays (decompressed MiniDebugInfo)
 * @param withDebugFile  a separate debug file was found and merged in
 */
record ModuleSymbols(ElfFile binary, Optional<ElfFile> debugFile, Optional<String> buildId, SymbolTable symbols,
                     SourceLocator sourceLocator, long extraHeapBytes) {
    long retainedBytes() {
        return symbols.retainedBytes() + sourceLocator.retainedBytes() + extraHeapBytes;
    }
}
