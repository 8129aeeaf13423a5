package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nodescope.testing.RepositoryRoot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hand-made corpus in src/test/resources/symbol/malformed/ (written by make-corpus.py there):
 * truncated tables, wrong magic, counts of 2^40, offsets past the end or out of order, addresses
 * going backwards. Each must be rejected with the checked exception the symbolizer counts, not
 * crash, hang or allocate what the header claims.
 */
class MalformedSymbolDataTest {
    private static final long TEXT_START = 0x401000;

    static Stream<Path> corpus() throws IOException {
        Path directory = RepositoryRoot.find().resolve("daemon/src/test/resources/symbol/malformed");
        List<Path> files = Files.list(directory).filter(file -> file.toString().endsWith(".bin")).sorted().toList();
        assertFalse(files.isEmpty(), "empty corpus in " + directory);
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void rejectsWithMalformedSymbolDataException(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        String name = file.getFileName().toString();
        if (name.startsWith("gopclntab-")) {
            assertThrows(MalformedSymbolDataException.class,
                    () -> GoPclnTable.parse(bytes, TEXT_START).lookup(TEXT_START + 0x10));
        } else if (name.startsWith("debug_line-")) {
            assertThrows(MalformedSymbolDataException.class,
                    () -> DwarfLineTable.parse(bytes, Optional.of(ByteBuffer.allocate(16))));
        } else {
            throw new AssertionError("corpus file " + name + " names no parser (gopclntab-, debug_line-)");
        }
    }
}
