package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.testing.RequiresTools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Running Go programs (src/test/resources/symbol/go, plain, stripped and PIE) symbolized through the
 * public facade, snapshot(pid) then symbolizeUser: names and file:line from .gopclntab, inlined calls
 * where the symbol table gives the inline trees. Expected values come from go tool nm and objdump
 * and addr2line.
 */
@RequiresTools(value = {"go", "addr2line"}, install = "apt-get install golang-go binutils")
class LiveGoProcessSymbolizerTest {
    /** Lines of src/test/resources/symbol/go/main.go. */
    private static final int ALLOCATE_DECLARATION = 11;
    private static final int SMALL_BODY = 18;
    private static final int SMALL_CALL_IN_MAIN = 25;

    private final Symbolizer symbolizer = Symbolizer.create(Path.of("/proc"), new MetricsRegistry());
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopPrograms() throws InterruptedException {
        for (Process process : started) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Starts the program and returns once it has run main's loop (it prints its total, then waits). */
    private Process startWaiting(Path binary) throws IOException {
        Process process = new ProcessBuilder(binary.toString(), "wait").start();
        started.add(process);
        String total = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertTrue(total != null && total.matches("\\d+"), "the Go program printed " + total);
        return process;
    }

    /** Where the binary's first PT_LOAD landed minus where it was linked: 0 unless PIE. */
    private static long loadBias(Process process, Path binary) throws Exception {
        long linked = SymbolTestBinaries.parse(binary).loadSegments().getFirst().virtualAddress();
        String realPath = binary.toRealPath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/maps"))) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 6 && fields[5].equals(realPath) && Long.parseUnsignedLong(fields[2], 16) == 0) {
                return Long.parseUnsignedLong(fields[0].substring(0, fields[0].indexOf('-')), 16) - linked;
            }
        }
        throw new AssertionError(realPath + " is not mapped at offset 0 in " + process.pid());
    }

    /**
     * A pc of main.main inside the inlined body of main.small. go tool objdump finds it in the plain
     * build; Go 1.19's objdump cannot read a PIE's pclntab, so the PIE's pc is the same offset into
     * its main.main (the same code), confirmed by addr2line from the binary's DWARF.
     */
    private static long inlinedSmallPc(Path binary) {
        long offset = GoTestProgram.instructions("main.main").stream()
                .filter(instruction -> instruction.line() == SMALL_BODY)
                .findFirst().orElseThrow(() -> new AssertionError("main.small was not inlined into main.main"))
                .pc() - GoTestProgram.symbols().get("main.main");
        long pc = GoTestProgram.symbols(binary).get("main.main") + offset;
        String addr2line = CTestProgram.addr2line(binary, List.of(pc)).getFirst();
        assertTrue(addr2line.endsWith("/main.go:" + SMALL_BODY), binary + ": addr2line says " + addr2line);
        return pc;
    }

    @Test
    void plainAndPieBinariesResolveToNameFileAndLineAndInlinedCalls() throws Exception {
        for (Path binary : List.of(GoTestProgram.plain(), GoTestProgram.pie())) {
            Process process = startWaiting(binary);
            long bias = loadBias(process, binary);
            long allocate = GoTestProgram.symbols(binary).get("main.allocate");
            long inlined = inlinedSmallPc(binary);
            try (ProcessSnapshot snapshot = symbolizer.snapshot((int) process.pid())) {
                // Two pcs, each named as the innermost frame of its own stack (in one stack, the
                // second would be a return address, named by the byte before it).
                List<Long> addresses = List.of(bias + allocate + 1, bias + inlined);
                List<Frame> frames = addresses.stream()
                        .map(pc -> symbolizer.symbolizeUser(snapshot, List.of(pc)).getFirst()).toList();
                List<List<Frame>> withInlined = addresses.stream()
                        .map(pc -> symbolizer.symbolizeUserWithInlinedFrames(snapshot, List.of(pc)).getFirst()).toList();

                assertSource(frames.get(0), "main.allocate", 1, ALLOCATE_DECLARATION);
                assertEquals(allocate + 1, frames.get(0).moduleOffset(), "the module offset is go tool nm's address");
                assertSource(frames.get(1), "main.main", inlined - GoTestProgram.symbols(binary).get("main.main"),
                        SMALL_BODY);
                List<Frame> stack = withInlined.get(1);
                assertEquals(List.of("main.small", "main.main"),
                        stack.stream().map(frame -> frame.function().orElse("?")).toList(), binary.toString());
                assertEquals(SMALL_BODY, stack.get(0).line());
                assertEquals(SMALL_CALL_IN_MAIN, stack.get(1).line());
            }
        }
    }

    @Test
    void strippedBinaryGetsNamesAndFileAndLineFromThePclntabAlone() throws Exception {
        Path stripped = GoTestProgram.stripped();
        assertTrue(SymbolTestBinaries.parse(stripped).sectionHeader(".symtab").isEmpty(), "-s removes .symtab");
        Process process = startWaiting(stripped);
        // -s -w changes no code: the plain build's addresses are the stripped one's.
        long allocate = GoTestProgram.symbols().get("main.allocate");
        try (ProcessSnapshot snapshot = symbolizer.snapshot((int) process.pid())) {
            List<Frame> frames = symbolizer.symbolizeUser(snapshot, List.of(allocate + 4));

            assertSource(frames.get(0), "main.allocate", 4, ALLOCATE_DECLARATION);
        }
    }

    @Test
    void runtimeFunctionsAreNamedWithTheirSourceInGoroot() throws Exception {
        Process process = startWaiting(GoTestProgram.plain());
        long mallocgc = GoTestProgram.symbols().get("runtime.mallocgc");
        try (ProcessSnapshot snapshot = symbolizer.snapshot((int) process.pid())) {
            Frame frame = symbolizer.symbolizeUser(snapshot, List.of(mallocgc)).getFirst();

            assertEquals(Optional.of("runtime.mallocgc"), frame.function(), frame.toStackLine());
            assertTrue(frame.sourceFile().orElseThrow().endsWith("/runtime/malloc.go"), frame.toStackLine());
        }
    }

    private static void assertSource(Frame frame, String function, long offset, int line) {
        assertEquals(Optional.of(function), frame.function(), frame.toStackLine());
        assertEquals(offset, frame.offsetInFunction(), frame.toStackLine());
        assertTrue(frame.sourceFile().orElseThrow().endsWith("/symbol/go/main.go"), frame.toStackLine());
        assertEquals(line, frame.line(), frame.toStackLine());
        assertTrue(frame.toStackLine().endsWith("main.go:" + line), frame.toStackLine());
    }
}
