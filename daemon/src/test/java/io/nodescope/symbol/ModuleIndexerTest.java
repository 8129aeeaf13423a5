package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.testing.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real gcc binaries in every shape they reach a node, resolved at the addresses `nm` gives. */
@RequiresTestBinaries
class ModuleIndexerTest {
    private final List<Path> failedCandidates = new ArrayList<>();
    private final ModuleIndexer indexer = new ModuleIndexer(new DebugFileLocator(new DebugFileLocator.CandidateFailures() {
        @Override
        public void unreadable(Path candidate, IOException cause) {
            failedCandidates.add(candidate);
        }

        @Override
        public void malformed(Path candidate, MalformedSymbolDataException cause) {
            failedCandidates.add(candidate);
        }
    }), new SymbolFailures(new MetricsRegistry()));

    @TempDir
    Path emptyRoot;

    private ModuleSymbols index(String binary, Path... roots) throws Exception {
        Path file = SymbolTestBinaries.file(binary);
        return indexer.index(MappedFiles.map(file), file.toString(), List.of(roots));
    }

    private static Optional<String> nameAt(ModuleSymbols module, long address) {
        return module.symbols().lookup(address).map(SymbolTable.Hit::name);
    }

    @Test
    void pieExecutableNamesStaticAndExportedFunctions() throws Exception {
        ModuleSymbols module = index("target-pie", emptyRoot);
        long helper = SymbolTestBinaries.nmAddress("target-pie", "static_helper");
        long exported = SymbolTestBinaries.nmAddress("target-pie", "exported_work");
        SymbolTable.Hit hit = module.symbols().lookup(helper + 3).orElseThrow();
        assertEquals("static_helper", hit.name());
        assertEquals(helper, hit.start());
        assertEquals(Optional.of("exported_work"), nameAt(module, exported));
        assertEquals(Optional.of("main"), nameAt(module, SymbolTestBinaries.nmAddress("target-pie", "main") + 1));
    }

    @Test
    void nonPieExecutableKeepsItsLinkTimeAddresses() throws Exception {
        ModuleSymbols module = index("target-nopie", emptyRoot);
        long helper = SymbolTestBinaries.nmAddress("target-nopie", "static_helper");
        assertTrue(helper >= 0x400000, "non-PIE links at 0x400000: " + Long.toHexString(helper));
        assertEquals(Optional.of("static_helper"), nameAt(module, helper + 1));
        assertEquals(ElfFile.ET_EXEC, module.binary().type());
    }

    @Test
    void sharedLibraryNamesItsStaticFunction() throws Exception {
        ModuleSymbols module = index("libsymtest.so", emptyRoot);
        assertEquals(Optional.of("static_in_library"),
                nameAt(module, SymbolTestBinaries.nmAddress("libsymtest.so", "static_in_library") + 1));
        assertEquals(ElfFile.ET_DYN, module.binary().type());
    }

    @Test
    void strippedExecutableHasNoNameForItsFunctions() throws Exception {
        ModuleSymbols module = index("target-stripped", emptyRoot);
        assertEquals(Optional.empty(), nameAt(module, SymbolTestBinaries.nmAddress("target-pie", "static_helper") + 1));
    }

    @Test
    void debugLinkFindsTheSplitDebugFileNextToTheBinary() throws Exception {
        // Root "/": the test binaries sit in the host filesystem, where the link is looked up next to them.
        ModuleSymbols module = index("target-debuglink", Path.of("/"));
        assertEquals(Optional.of("static_helper"),
                nameAt(module, SymbolTestBinaries.nmAddress("target-pie", "static_helper") + 1));
    }

    @Test
    void debugLinkRejectsADebugFileWhoseCrcDiffers(@TempDir Path directory) throws Exception {
        Path binary = Files.copy(SymbolTestBinaries.file("target-debuglink"), directory.resolve("target-debuglink"));
        byte[] debug = Files.readAllBytes(SymbolTestBinaries.file("target-debuglink.debug"));
        debug[debug.length - 1] ^= 1; // Same file otherwise: only the CRC tells the stale one apart.
        Files.write(directory.resolve("target-debuglink.debug"), debug);
        ModuleSymbols module = indexer.index(MappedFiles.map(binary), binary.toString(), List.of(Path.of("/")));
        assertEquals(Optional.empty(), nameAt(module, SymbolTestBinaries.nmAddress("target-pie", "static_helper") + 1));
    }

    @Test
    void buildIdFindsTheDebugFileUnderUsrLibDebug() throws Exception {
        long helper = SymbolTestBinaries.nmAddress("target-pie", "static_helper") + 1;
        assertEquals(Optional.empty(), nameAt(index("target-buildid-only", emptyRoot), helper));
        ModuleSymbols module = index("target-buildid-only", emptyRoot, SymbolTestBinaries.file("debug-root"));
        assertEquals(Optional.of("static_helper"), nameAt(module, helper));
    }

    @Test
    void aCopyWhoseRootHoldsTheDebugFileIsNotNamedFromAnIndexWithoutIt() throws Exception {
        // The daemon's own libc in its image (no debug file) and the host's identical libc (libc6-dbg).
        long helper = SymbolTestBinaries.nmAddress("target-pie", "static_helper") + 1;
        Path file = SymbolTestBinaries.file("target-buildid-only");
        ModuleSymbols inImage = indexer.index(MappedFiles.map(file), file.toString(), List.of(emptyRoot));
        ModuleSymbols onHost = indexer.index(MappedFiles.map(file), file.toString(),
                List.of(SymbolTestBinaries.file("debug-root")), Optional.of(inImage));
        assertEquals(Optional.of("static_helper"), nameAt(onHost, helper));
        assertTrue(onHost.debugFile().isPresent());
        assertEquals(inImage, indexer.index(MappedFiles.map(file), file.toString(), List.of(emptyRoot),
                Optional.of(inImage)), "without a debug file of its own a copy shares the other's index");
    }

    @Test
    void miniDebugInfoNamesTheStaticFunctionsDynsymLacks() throws Exception {
        ModuleSymbols module = index("target-minidebuginfo", emptyRoot);
        assertEquals(Optional.of("static_helper"),
                nameAt(module, SymbolTestBinaries.nmAddress("target-pie", "static_helper") + 1));
        assertTrue(module.extraHeapBytes() > 0, "the decompressed MiniDebugInfo counts toward the cache bound");
    }

    @Test
    void buildIdMatchesReadelf() throws Exception {
        String readelf = Commands.run(SymbolTestBinaries.directory(), Map.of(),
                List.of("readelf", "-n", SymbolTestBinaries.file("target-pie").toString()));
        String expected = readelf.lines().filter(l -> l.contains("Build ID:"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElseThrow();
        assertEquals(Optional.of(expected), index("target-pie", emptyRoot).buildId());
        assertTrue(failedCandidates.isEmpty(), "no candidate failed: " + failedCandidates);
    }

    /** static_helper's declaration in src/test/resources/symbol/target.c. */
    private static final int STATIC_HELPER_LINE = 9;

    @Test
    void fileAndLineComeFromTheBinaryOrItsDebugFileButNotFromMiniDebugInfo() throws Exception {
        long helper = SymbolTestBinaries.nmAddress("target-pie", "static_helper");
        for (String binary : List.of("target-pie", "target-debuglink")) {
            // Root "/": the debug link is looked up next to the binary, as in debugLinkFinds... above.
            List<SourceLocation> found = index(binary, Path.of("/")).sourceLocator().locate(helper);
            assertEquals(1, found.size(), binary);
            assertTrue(found.getFirst().file().endsWith("/target.c"), binary + ": " + found);
            assertEquals(STATIC_HELPER_LINE, found.getFirst().line(), binary);
        }
        // Fedora's MiniDebugInfo keeps symbols only: the function is named, no line is invented.
        ModuleSymbols mini = index("target-minidebuginfo", emptyRoot);
        assertEquals(Optional.of("static_helper"), nameAt(mini, helper));
        assertEquals(List.of(), mini.sourceLocator().locate(helper));
        assertEquals(List.of(), index("target-stripped", emptyRoot).sourceLocator().locate(helper));
    }

    @Test
    void elfReaderHandsOutSectionsSegmentsAndUnwindTables() throws Exception {
        ElfFile binary = SymbolTestBinaries.parse(SymbolTestBinaries.file("target-pie"));
        ElfFile.Section text = binary.sectionHeader(".text").orElseThrow();
        assertEquals(text.size(), binary.section(".text").orElseThrow().size());
        ElfFile.LoadSegment textSegment = binary.textSegment().orElseThrow();
        assertTrue(textSegment.virtualAddress() <= text.address()
                && text.address() + text.size() <= textSegment.virtualAddress() + textSegment.memorySize());
        assertTrue(binary.ehFrame().orElseThrow().size() > 0);
        assertTrue(binary.ehFrameHeader().orElseThrow().size() > 0);
        assertEquals(Optional.of(text.address()), binary.virtualAddressOf(text.offset()));
        assertFalse(binary.section(".no-such-section").isPresent());
    }
}
