package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.testing.RequiresTools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * .debug_line of a C program built by the test with gcc, line table versions 2 to 5, PIE and
 * not, checked against addr2line for every byte address of the program's functions.
 */
@RequiresTools(value = {"gcc", "addr2line", "nm"}, install = "apt-get install gcc binutils")
class DwarfLineTableTest {
    /** Line of allocate_block's declaration in src/test/resources/symbol/c/allocate.c. */
    private static final int ALLOCATE_BLOCK_DECLARATION = 4;

    @ParameterizedTest
    @CsvSource({
        "dwarf5-pie, -gdwarf-5 -pie",
        "dwarf4-pie, -gdwarf-4 -pie",
        "dwarf4-nopie, -gdwarf-4 -no-pie",
        "dwarf3-nopie, -gdwarf-3 -no-pie",
        "dwarf2-nopie, -gdwarf-2 -no-pie",
    })
    void agreesWithAddr2lineAtEveryAddressOfTheProgramsFunctions(String variant, String flags) throws Exception {
        Path binary = CTestProgram.build(variant, List.of(flags.split(" ")));
        DwarfLineTable table = tableOf(binary);
        List<Long> addresses = new ArrayList<>();
        for (CTestProgram.Function function : CTestProgram.functions(binary)) {
            for (long address = function.start(); address < function.start() + function.size(); address++) {
                addresses.add(address);
            }
        }
        assertFalse(addresses.isEmpty(), "nm found neither main nor allocate_block");
        List<String> expected = CTestProgram.addr2line(binary, addresses);
        boolean fullPaths = variant.startsWith("dwarf5");

        for (int i = 0; i < addresses.size(); i++) {
            long address = addresses.get(i);
            Optional<SourceLine> line = table.lookup(address);
            assertTrue(line.isPresent(), () -> "no line at 0x" + Long.toHexString(address));
            String actual = line.get().file() + ":" + line.get().line();
            String wanted = expected.get(i);
            // Before v5 the compilation directory lives in .debug_info, not .debug_line, so
            // addr2line can prefix it to a file in directory 0 and this table cannot.
            assertTrue(fullPaths ? wanted.equals(actual) : wanted.endsWith("/" + actual) || wanted.equals(actual),
                    () -> "0x" + Long.toHexString(address) + ": addr2line says " + wanted + ", table says " + actual);
        }
    }

    @ParameterizedTest
    @CsvSource({"dwarf5-pie, -gdwarf-5 -pie", "dwarf4-nopie, -gdwarf-4 -no-pie"})
    void resolvesAFunctionEntryToItsDeclarationLine(String variant, String flags) throws Exception {
        Path binary = CTestProgram.build(variant, List.of(flags.split(" ")));
        long allocateBlock = CTestProgram.functions(binary).stream()
                .filter(function -> function.name().equals("allocate_block")).findFirst().orElseThrow().start();

        SourceLine line = tableOf(binary).lookup(allocateBlock).orElseThrow();

        assertTrue(line.file().endsWith("allocate.c"), line.file());
        assertEquals(ALLOCATE_BLOCK_DECLARATION, line.line());
    }

    @ParameterizedTest
    @CsvSource({"dwarf5-pie, -gdwarf-5 -pie"})
    void knowsNothingOutsideTheCompiledCode(String variant, String flags) throws Exception {
        Path binary = CTestProgram.build(variant, List.of(flags.split(" ")));
        DwarfLineTable table = tableOf(binary);

        assertEquals(Optional.empty(), table.lookup(0));
        assertEquals(Optional.empty(), table.lookup(-1L));
    }

    private static DwarfLineTable tableOf(Path binary) throws Exception {
        ElfFile elf = SymbolTestBinaries.parse(binary);
        return DwarfLineTable.parse(elf.section(".debug_line").orElseThrow(), elf.section(".debug_line_str"),
                elf.section(".debug_str"));
    }
}
