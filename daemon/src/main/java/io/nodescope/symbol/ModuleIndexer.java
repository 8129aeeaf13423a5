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
        return index(bytes, binaryPath, roots, Optional.empty());
    }

    /**
     * As {@link #index(ByteBuffer, String, List)}, but returns {@code sameBuildId}, an index of another
     * copy of this file, unless this copy's roots hold a debug file that copy's lacked: the daemon's
     * own libc in a container image has no debug file, the host's identical libc may.
     */
    ModuleSymbols index(ByteBuffer bytes, String binaryPath, List<Path> roots, Optional<ModuleSymbols> sameBuildId)
            throws MalformedSymbolDataException {
        if (sameBuildId.isPresent() && sameBuildId.get().debugFile().isPresent()) {
            return sameBuildId.get();
        }
        ElfFile binary = ElfFile.parse(bytes);
        Optional<ElfFile> debugFile = debugFiles.locate(binary, binaryPath, roots);
        if (sameBuildId.isPresent() && debugFile.isEmpty()) {
            return sameBuildId.get();
        }
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
                sourceLocator(binary, binaryPath, debugFile), extraHeapBytes);
    }

    /** A damaged line table or pclntab costs the module its file:line, not its function names. */
    private SourceLocator sourceLocator(ElfFile binary, String binaryPath, Optional<ElfFile> debugFile) {
        try {
            return SourceLocator.forModule(binary, debugFile);
        } catch (MalformedSymbolDataException e) {
            failures.malformed(binaryPath + " (source table)", e);
            return SourceLocator.NONE;
        }
    }
}
