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
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Hostile and damaged input: the committed corpus in src/test/resources/symbol/malformed/ (made by
 * make-malformed-corpus.py, one defect per file), every truncation of a real library, and seeded byte
 * mutations of it. The parsers may reject input only with {@link MalformedElfException}; any other
 * exception, a hang or an out-of-memory here is a bug the daemon would meet in some container.
 */
class MalformedInputTest {
    private static final Path CORPUS = RepositoryRoot.find().resolve("daemon/src/test/resources/symbol/malformed");

    /** Every parser entry point and accessor, as the symbolizer would call them on a file. */
    private static void exerciseEveryParser(ByteBuffer bytes) {
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
        } catch (MalformedElfException expected) {
            // The one way to reject input.
        }
    }

    @TestFactory
    Stream<DynamicTest> committedCorpusIsRejectedOrParsedWithoutAnyOtherFailure() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(CORPUS)) {
            files = listing.sorted().toList();
        }
        assertTrue(files.size() >= 20, "corpus present: " + files.size());
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
                () -> exerciseEveryParser(ByteBuffer.wrap(Files.readAllBytes(file)))));
    }

    private static ElfFile corpusFile(String name) throws Exception {
        return ElfFile.parse(ByteBuffer.wrap(Files.readAllBytes(CORPUS.resolve(name))));
    }

    @Test
    void capsAreEnforcedNotJustSurvived() throws Exception {
        MalformedElfException bomb = assertThrows(MalformedElfException.class,
                () -> MiniDebugInfo.of(corpusFile("debugdata-xz-bomb-96MiB")));
        assertTrue(bomb.getMessage().contains("more than"), bomb.getMessage());
        assertThrows(MalformedElfException.class, () -> corpusFile("compressed-section-claims-16GiB").section(".symtab"));
        assertThrows(MalformedElfException.class, () -> corpusFile("section-count-max"));
        assertThrows(MalformedElfException.class, () -> corpusFile("elf32-class"));
        assertEquals(Optional.empty(), corpusFile("build-id-note-descsz-huge").buildId());
    }

    @Test
    void everyTruncationOfARealLibrary() throws IOException {
        byte[] library = Files.readAllBytes(SymbolTestBinaries.file("libsymtest.so"));
        for (int length = 0; length < library.length; length += 61) {
            exerciseEveryParser(ByteBuffer.wrap(library, 0, length).slice());
        }
    }

    @Test
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
            exerciseEveryParser(ByteBuffer.wrap(mutated));
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
