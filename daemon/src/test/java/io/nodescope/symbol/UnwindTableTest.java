package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.testing.Commands;
import io.nodescope.testing.RepositoryRoot;
import io.nodescope.testing.RequiresTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of real files' unwind tables against binutils' reading of the same call frame
 * information (readelf --debug-dump=frames-interp): glibc's libc (zR, zPLR and zRS CIEs, the PLT
 * and __restore_rt expressions), the JDK's libjvm.so, the test program (-O2 -fomit-frame-pointer, lazy PLT), and code
 * built without .eh_frame whose only CFI is the .debug_frame of its separate debug file.
 */
@RequiresTools(value = {"gcc", "readelf", "objcopy", "strip"}, install = "apt-get install gcc binutils")
class UnwindTableTest {
    private static final Path LIBC = Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6");

    /** Compares every readelf row; returns how many were compared. */
    private static int assertSameRows(UnwindTable table, List<ReadelfFrames.Fde> expected) {
        int compared = 0;
        for (ReadelfFrames.Fde fde : expected) {
            assertNotNull(table.rulesAt(fde.pcBegin()), "FDE at " + Long.toHexString(fde.pcBegin()) + " covered");
            assertNotNull(table.rulesAt(fde.pcEnd() - 1), "FDE to " + Long.toHexString(fde.pcEnd()) + " covered");
            Map<Long, ReadelfFrames.Row> lastRowAt = new HashMap<>();
            fde.rows().stream()
                    .filter(row -> row.address() < fde.pcEnd()) // readelf also prints rows past the FDE's end.
                    .forEach(row -> lastRowAt.put(row.address(), row)); // A repeated address: the last row holds.
            for (ReadelfFrames.Row row : lastRowAt.values()) {
                RegisterRules rules = table.rulesAt(row.address());
                String where = Long.toHexString(row.address()) + " " + row;
                assertEquals(row.cfa(), ReadelfFrames.cfa(rules), where);
                row.registers().forEach((column, rule) -> assertEquals(rule, ReadelfFrames.rule(rules, column),
                        where + " " + column + " (ours " + rules + ")"));
                compared++;
            }
        }
        return compared;
    }

    /** glibc's libc, and the running JDK's libjvm.so: 52,857 FDEs, half of its rows rbp-based. */
    static Stream<Path> largeLibraries() {
        return Stream.of(LIBC, Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so"));
    }

    @ParameterizedTest
    @MethodSource("largeLibraries")
    void largeLibrariesRowsAreBinutilsRows(Path library) throws Exception {
        UnwindTable table = UnwindTable.build(SymbolTestBinaries.parse(library), Optional.empty());
        int compared = assertSameRows(table, ReadelfFrames.of(library));
        assertTrue(compared > 10_000, "tens of thousands of rows: " + compared);
        assertTrue(table.distinctRules() < table.rowCount() / 10, "rules are interned: " + table.distinctRules());
    }

    @Test
    void optimizedProgramAndLibraryRowsAreBinutilsRows() throws Exception {
        for (Path file : List.of(UnwindTestProgram.binary(), UnwindTestProgram.library())) {
            UnwindTable table = UnwindTable.build(SymbolTestBinaries.parse(file), Optional.empty());
            assertTrue(assertSameRows(table, ReadelfFrames.of(file)) > 3, file.toString());
        }
    }

    @Test
    void aSeparateDebugFilesDebugFrameCoversCodeWithoutEhFrame() throws Exception {
        Path directory = RepositoryRoot.find().resolve("daemon/target/symbol/unwind-debug-frame");
        Files.createDirectories(directory);
        Path binary = directory.resolve("unwindee");
        Path debug = directory.resolve("unwindee.debug");
        Commands.run(UnwindTestProgram.SOURCES, Map.of(), List.of("gcc", "-O2", "-fomit-frame-pointer",
                "-fno-asynchronous-unwind-tables", "-g", "-pthread", "-o", binary.toString(), "unwindee.c",
                UnwindTestProgram.library().toString()));
        Commands.run(directory, Map.of(), List.of("objcopy", "--only-keep-debug", binary.toString(), debug.toString()));
        Commands.run(directory, Map.of(), List.of("strip", "--strip-debug", binary.toString()));
        long leaf = SymbolTestBinaries.nmAddressIn(binary, "leaf_spin");

        assertNull(UnwindTable.build(SymbolTestBinaries.parse(binary), Optional.empty()).rulesAt(leaf),
                "the binary alone has no CFI for its own functions");
        UnwindTable table = UnwindTable.build(SymbolTestBinaries.parse(binary),
                Optional.of(SymbolTestBinaries.parse(debug)));
        List<ReadelfFrames.Fde> debugFrame = new ArrayList<>(ReadelfFrames.of(debug));
        debugFrame.removeIf(fde -> fde.pcBegin() == 0);
        assertTrue(debugFrame.stream().anyMatch(fde -> fde.pcBegin() == leaf), "readelf sees leaf_spin's FDE");
        assertTrue(assertSameRows(table, debugFrame) > 10);
        assertSameRows(table, ReadelfFrames.of(binary)); // The crt files' .eh_frame still counts too.
    }
}
