package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.testing.Commands;
import io.nodescope.testing.RepositoryRoot;
import io.nodescope.testing.RequiresTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A caller whose call is its function's last instruction: the return address is the next
 * function's first byte, so a lookup at the return address named the wrong function ("_fini+0x0"
 * for main, on a real OOM). Built with gcc, run, and named through a snapshot of the live process
 * as an OOM span's user stack is.
 */
@RequiresTools(value = {"gcc", "nm", "addr2line"}, install = "apt-get install gcc binutils")
class NoreturnCallerTest {
    @Test
    void aCallerEndingInANoreturnCallIsNamedByItsCallAndShowsItsReturnAddress() throws Exception {
        Path source = RepositoryRoot.find().resolve("daemon/src/test/resources/symbol/noreturn");
        Path binary = RepositoryRoot.find().resolve("daemon/target/symbol/noreturn/noreturn");
        Files.createDirectories(binary.getParent());
        // Non-PIE: the live addresses are nm's. No function alignment: no padding between the two.
        Commands.run(source, Map.of(), List.of("gcc", "-O1", "-g", "-no-pie", "-falign-functions=1",
                "-fno-reorder-functions", "-o", binary.toString(), "noreturn.c"));
        Map<String, CTestProgram.Function> functions = CTestProgram.functions(binary,
                List.of("wait_then_abort", "ends_in_noreturn_call", "next_function"));
        CTestProgram.Function caller = functions.get("ends_in_noreturn_call");
        long returnAddress = caller.start() + caller.size();
        assertEquals(functions.get("next_function").start(), returnAddress,
                "the layout this test needs: the call is the caller's last instruction, the next function follows");

        Process program = new ProcessBuilder(binary.toString()).start(); // Blocks in pause().
        Symbolizer symbolizer = Symbolizer.create(Path.of("/proc"), new MetricsRegistry());
        try (ProcessSnapshot snapshot = symbolizer.snapshot((int) program.pid())) {
            long innermostPc = functions.get("wait_then_abort").start() + 4;
            List<List<Frame>> stack = symbolizer.symbolizeUserWithInlinedFrames(snapshot,
                    List.of(innermostPc, returnAddress));

            Frame innermost = stack.get(0).getLast();
            assertEquals(Optional.of("wait_then_abort"), innermost.function(), innermost.toStackLine());
            assertEquals(4, innermost.offsetInFunction());

            Frame callerFrame = stack.get(1).getLast();
            assertEquals(Optional.of("ends_in_noreturn_call"), callerFrame.function(), callerFrame.toStackLine());
            // The line shows the return address, as perf and gdb do: the caller's size past its start.
            assertEquals(caller.size(), callerFrame.offsetInFunction(), callerFrame.toStackLine());
            assertEquals(returnAddress, callerFrame.moduleOffset(), callerFrame.toStackLine());
            // file:line is the call's, as addr2line gives it for the byte before the return address.
            assertEquals(CTestProgram.addr2line(binary, List.of(returnAddress - 1)),
                    List.of(callerFrame.sourceFile().orElse("??") + ":" + callerFrame.line()));
        } finally {
            program.destroyForcibly().waitFor();
        }
    }
}
