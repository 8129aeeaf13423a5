package io.nodescope.symbol;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Indexes one mapped ELF file: its own symbols, its separate debug file's, its MiniDebugInfo's, and its
 * source table (Go pclntab or DWARF lines). The expensive step of symbolization; the result is cached
 * by file identity and by build-id.
 */
final class ModuleIndexer {
    private final DebugFileLocator debugFiles;
    private final SymbolFailures failures;

    ModuleIndexer(DebugFileLocator debugFiles, SymbolFailures failures) {
        this.debugFiles = debugFiles;
        this.failures = failures;
    }

    /**
     * @param binaryPath the file's path as the process sees it, for .gnu_debuglink's directories
     * @param roots      where to look for debug files, the process's root first
     */
    ModuleSymbols index(ByteBuffer bytes, String binaryPath, List<Path> roots) throws MalformedSymbolDataException {
        ElfFile binary = ElfFile.parse(bytes);
        Optional<ElfFile> debugFile = debugFiles.locate(binary, binaryPath, roots);
        List<ElfFile> sources = new ArrayList<>(3);
        debugFile.ifPresent(sources::add);
        sources.add(binary);
        long extraHeapBytes = 0;
        // MiniDebugInfo only fills in for a missing .symtab; a debug file or unstripped binary has all of it.
        if (sources.stream().noneMatch(ElfSymbols::hasFullSymbolTable)) {
            Optional<ElfFile> mini = MiniDebugInfo.of(binary);
            if (mini.isPresent()) {
                sources.add(mini.get());
                extraHeapBytes = mini.get().sizeInBytes(); // Decompressed onto the heap, unlike the mapped files.
            }
        }
        return new ModuleSymbols(binary, debugFile, binary.buildId(), ElfSymbols.of(sources),
                sourceLocator(binary, debugFile), extraHeapBytes);
    }

    /** A damaged line table or pclntab costs the module its file:line, not its function names. */
    private SourceLocator sourceLocator(ElfFile binary, Optional<ElfFile> debugFile) {
        try {
            return SourceLocator.forModule(binary, debugFile);
        } catch (MalformedSymbolDataException e) {
            failures.malformed.increment();
            return SourceLocator.NONE;
        }
    }
}
