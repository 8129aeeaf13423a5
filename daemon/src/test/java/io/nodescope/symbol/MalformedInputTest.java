package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.testing.RepositoryRoot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and damaged input: the committed corpus of malformed files (SymbolParsersFuzzTest's seeds in
 * src/test/resources/io/nodescope/symbol/SymbolParsersFuzzTestInputs/, made by
 * symbol/make-malformed-corpus.py and symbol/make-table-corpus.py, one defect per file), every
 * truncation of a real library, and seeded byte mutations of it. The fuzz test's regression run already
 * feeds every seed through {@link ElfParsers#exercise}; here the defects must also be noticed, with
 * {@link MalformedSymbolDataException}, where a parser has no valid answer to give.
 */
class MalformedInputTest {
    private static final Path SEEDS = RepositoryRoot.find()
            .resolve("daemon/src/test/resources/io/nodescope/symbol/SymbolParsersFuzzTestInputs");
    private static final long GO_TEXT_START = 0x401000;

    static Stream<Path> malformedTables() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String parser : List.of("goPclnTable", "dwarfLineTable")) {
            try (Stream<Path> listing = Files.list(SEEDS.resolve(parser))) {
                listing.filter(file -> file.getFileName().toString().matches("(gopclntab|debug_line)-.*\\.bin"))
                        .forEach(files::add);
            }
        }
        assertTrue(files.size() >= 20, "corpus present: " + files.size());
        return files.stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("malformedTables")
    void malformedTablesAreRejected(Path file) throws IOException {
        BoundedReader bytes = BoundedReader.littleEndian(ByteBuffer.wrap(Files.readAllBytes(file)), file.toString());
        if (file.getFileName().toString().startsWith("gopclntab-")) {
            assertThrows(MalformedSymbolDataException.class,
                    () -> GoPclnTable.parse(bytes, GO_TEXT_START).lookup(GO_TEXT_START + 0x10));
        } else {
            assertThrows(MalformedSymbolDataException.class, () -> DwarfLineTable.parse(bytes,
                    Optional.of(BoundedReader.littleEndian(ByteBuffer.allocate(16), ".debug_line_str")),
                    Optional.empty()));
        }
    }

    private static ElfFile corpusFile(String name) throws Exception {
        return ElfFile.parse(ByteBuffer.wrap(Files.readAllBytes(SEEDS.resolve("elfFile").resolve(name))));
    }

    @Test
    void capsAreEnforcedNotJustSurvived() throws Exception {
        MalformedSymbolDataException bomb = assertThrows(MalformedSymbolDataException.class,
                () -> MiniDebugInfo.of(corpusFile("debugdata-xz-bomb-96MiB")));
        assertTrue(bomb.getMessage().contains("more than"), bomb.getMessage());
        assertThrows(MalformedSymbolDataException.class, () -> corpusFile("compressed-section-claims-16GiB").section(".symtab"));
        assertThrows(MalformedSymbolDataException.class, () -> corpusFile("section-count-max"));
        assertThrows(MalformedSymbolDataException.class, () -> corpusFile("elf32-class"));
        assertEquals(Optional.empty(), corpusFile("build-id-note-descsz-huge").buildId());
    }

    @Test
    @RequiresTestBinaries
    void everyTruncationOfARealLibrary() throws IOException {
        byte[] library = Files.readAllBytes(SymbolTestBinaries.file("libsymtest.so"));
        for (int length = 0; length < library.length; length += 61) {
            ElfParsers.exercise(ByteBuffer.wrap(library, 0, length).slice());
        }
    }

    @Test
    @RequiresTestBinaries
    void seededByteMutationsOfARealLibrary() throws IOException {
        byte[] library = Files.readAllBytes(SymbolTestBinaries.file("libsymtest.so"));
        Random random = new Random(20261123);
        for (int round = 0; round < 3000; round++) {
            byte[] mutated = library.clone();
            for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
                // Mostly the headers and the section header table, where offsets and sizes live.
                int at = random.nextBoolean() ? random.nextInt(64) : library.length - 1 - random.nextInt(2048);
                mutated[at] = (byte) random.nextInt(256);
            }
            ElfParsers.exercise(ByteBuffer.wrap(mutated));
        }
    }

    @Test
    void textParsersSkipGarbage() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            byte[] garbage = new byte[random.nextInt(4096)];
            random.nextBytes(garbage);
            String text = new String(garbage, StandardCharsets.ISO_8859_1);
            PerfMap.parse(ByteBuffer.wrap(garbage)).lookup(random.nextLong());
            ProcessMaps.parse(text);
            Kallsyms.parse(text).lookup(random.nextLong());
        }
    }
}
