package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.testing.RequiresTools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * .gopclntab of a real Go program built by the test with Debian's golang-go, checked against Go's
 * own tools: go tool nm for names and entries, go tool objdump for each instruction's file:line.
 */
@RequiresTools(value = {"go"}, install = "apt-get install golang-go")
class GoPclnTableTest {
    /** Lines of src/test/resources/symbol/go/main.go. */
    private static final int ALLOCATE_DECLARATION = 11;
    private static final int SMALL_BODY = 18;
    private static final int SMALL_CALL_IN_MAIN = 25;

    @Test
    void resolvesEveryTextSymbolToItsOwnNameAndEntry() throws Exception {
        ElfFile elf = SymbolTestBinaries.parse(GoTestProgram.plain());
        GoPclnTable table = tableOf(elf);
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, Long> symbol : textSymbols(elf).entrySet()) {
            Optional<GoFunction> function = table.lookup(symbol.getValue());
            checked++;
            if (function.isEmpty() || !function.get().name().equals(pclntabName(symbol.getKey()))
                    || function.get().entry() != symbol.getValue()) {
                wrong.add(symbol.getKey() + " -> " + function);
            }
        }
        assertTrue(checked > 1000, "only " + checked + " text symbols");
        assertEquals(List.of(), wrong);
    }

    @Test
    void resolvesAllocateToItsSourceFileAndDeclarationLine() throws Exception {
        ElfFile elf = SymbolTestBinaries.parse(GoTestProgram.plain());
        long allocate = GoTestProgram.symbols().get("main.allocate");

        GoFunction function = tableOf(elf).lookup(allocate + 1).orElseThrow();

        assertEquals("main.allocate", function.name());
        assertEquals(allocate, function.entry());
        assertTrue(function.innermost().file().endsWith("/symbol/go/main.go"), function.innermost().file());
        assertEquals(ALLOCATE_DECLARATION, function.innermost().line());
    }

    @Test
    void innermostFileAndLineAgreeWithGoObjdumpForEveryInstruction() throws Exception {
        GoPclnTable table = tableOf(SymbolTestBinaries.parse(GoTestProgram.plain()));
        for (String name : List.of("main.main", "main.allocate", "runtime.mallocgc")) {
            List<GoTestProgram.Instruction> instructions = GoTestProgram.instructions(name);
            assertFalse(instructions.isEmpty(), name);
            for (GoTestProgram.Instruction instruction : instructions) {
                GoFunction function = table.lookup(instruction.pc()).orElseThrow();
                GoFrame innermost = function.innermost();
                assertEquals(name, function.name());
                assertEquals(instruction.fileBaseName(), Path.of(innermost.file()).getFileName().toString(),
                        () -> "file at 0x" + Long.toHexString(instruction.pc()));
                assertEquals(instruction.line(), innermost.line(), () -> "line at 0x" + Long.toHexString(instruction.pc()));
            }
        }
    }

    @Test
    void inlinedCallsComeInnermostFirstWhenTheInlineTreeIsGiven() throws Exception {
        ElfFile elf = SymbolTestBinaries.parse(GoTestProgram.plain());
        long goFunc = GoTestProgram.symbols().get("go.func.*");
        GoPclnTable table = GoPclnTable.parse(elf.section(".gopclntab").orElseThrow(), textAddress(elf),
                Optional.of(new GoFuncData(elf.section(".rodata").orElseThrow(),
                        elf.sectionHeader(".rodata").orElseThrow().address(), goFunc)));
        int inlined = 0;
        for (GoTestProgram.Instruction instruction : GoTestProgram.instructions("main.main")) {
            List<GoFrame> frames = table.lookup(instruction.pc()).orElseThrow().frames();
            if (instruction.line() == SMALL_BODY) {
                inlined++;
                assertEquals(List.of("main.small", "main.main"), frames.stream().map(GoFrame::function).toList());
                assertEquals(SMALL_BODY, frames.get(0).line());
                assertEquals(SMALL_CALL_IN_MAIN, frames.get(1).line());
            } else if (instruction.line() == ALLOCATE_DECLARATION + 13) {
                assertEquals(List.of("main.main"), frames.stream().map(GoFrame::function).toList(),
                        "allocate is //go:noinline, so its call site has no inlined frame");
            }
        }
        assertTrue(inlined > 0, "objdump shows no instruction of the inlined main.small in main.main");
    }

    @Test
    void strippedBinaryKeepsTheTableAndResolvesTheSameFunctions() throws Exception {
        ElfFile plain = SymbolTestBinaries.parse(GoTestProgram.plain());
        ElfFile stripped = SymbolTestBinaries.parse(GoTestProgram.stripped());
        assertTrue(stripped.sectionHeader(".symtab").isEmpty(), "-s must remove the symbol table");
        GoPclnTable strippedTable = tableOf(stripped);

        for (Map.Entry<String, Long> symbol : textSymbols(plain).entrySet()) {
            if (symbol.getKey().startsWith("main.")) {
                GoFunction function = strippedTable.lookup(symbol.getValue()).orElseThrow();
                assertEquals(symbol.getKey(), function.name());
                assertEquals(symbol.getValue(), function.entry());
            }
        }
    }

    @Test
    void findsTheTableByItsHeaderWhenSectionHeadersAreGone() throws Exception {
        ElfFile stripped = SymbolTestBinaries.parse(GoTestProgram.stripped());
        BoundedReader file = BoundedReader.littleEndian(MappedFiles.map(GoTestProgram.stripped()), "stripped");
        long allocate = GoTestProgram.symbols().get("main.allocate");

        int offset = GoPclnTable.findHeader(file).orElseThrow();
        GoPclnTable table = GoPclnTable.parse(file.from(offset), 0);
        // With no .text section to ask, the header's own textStart is the base of a non-PIE binary.
        GoPclnTable based = GoPclnTable.parse(file.from(offset), table.declaredTextStart());

        assertEquals(textAddress(stripped), table.declaredTextStart());
        assertEquals("main.allocate", based.lookup(allocate).orElseThrow().name());
    }

    /**
     * go tool nm marks assembly functions' ABI wrappers with ".abi0" and spells array lengths out
     * in generated equality functions, where the table (like runtime.FuncForPC) has "[...]".
     */
    private static String pclntabName(String nmName) {
        return nmName.replaceFirst("\\.abi0$", "").replaceAll("\\[\\d+\\]", "[...]");
    }

    private static GoPclnTable tableOf(ElfFile elf) throws MalformedSymbolDataException {
        return GoPclnTable.parse(elf.section(".gopclntab").orElseThrow(), textAddress(elf));
    }

    private static long textAddress(ElfFile elf) {
        return elf.sectionHeader(".text").orElseThrow().address();
    }

    /** Functions go tool nm lists inside .text: every one has a functab entry of its own. */
    private static Map<String, Long> textSymbols(ElfFile elf) {
        ElfFile.Section text = elf.sectionHeader(".text").orElseThrow();
        long end = text.address() + text.size();
        Map<String, Long> inText = new TreeMap<>();
        GoTestProgram.symbols().forEach((name, address) -> {
            if (address >= text.address() && address < end && !name.equals("runtime.text")
                    && !name.equals("runtime.etext")) {
                inText.put(name, address);
            }
        });
        return inText;
    }
}
