package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.testing.Commands;
import io.nodescope.testing.RequiresRoot;
import io.nodescope.testing.RequiresTools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The unwinder against gdb on the same process state: gdb stops a real process built -O2
 * -fomit-frame-pointer, writes each thread's registers and stack bytes (what the BPF snapshot holds)
 * and its own backtrace; the unwinder must find exactly gdb's frames, pc for pc, down to the
 * thread's first frame (_start or clone3). Frames in the test program are also named, from the
 * lookup addresses, as gdb names them.
 */
@RequiresRoot("attaches gdb to the test program with ptrace")
@RequiresTools(value = {"gcc", "gdb"}, install = "apt-get install gcc gdb")
class UnwindAgainstGdbIT {
    private final Symbolizer symbolizer = Symbolizer.create(Path.of("/proc"), new MetricsRegistry());
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopPrograms() throws InterruptedException {
        for (Process process : started) {
            process.destroyForcibly().waitFor();
        }
    }

    private Process start(String mode, String readyLine) throws Exception {
        Process process = UnwindTestProgram.start(mode, readyLine);
        started.add(process);
        return process;
    }

    /** Unwinds every captured thread and checks it against gdb; returns the named stacks. */
    private List<List<String>> unwindLikeGdb(long pid, List<GdbCapture.ThreadState> threads) {
        List<List<String>> named = new ArrayList<>();
        try (ProcessSnapshot snapshot = symbolizer.snapshot((int) pid)) {
            for (GdbCapture.ThreadState thread : threads) {
                UnwoundStack unwound = symbolizer.unwindUser(snapshot, thread.stack());
                assertEquals(thread.gdbPcs(), unwound.addresses(),
                        () -> thread.describe() + "\nunwound (" + unwound.end() + "): " + hex(unwound.addresses()));
                assertEquals(UnwoundStack.End.OUTERMOST, unwound.end(), thread.describe());
                List<Frame> frames = symbolizer.symbolizeUnwound(snapshot, unwound).stream().map(List::getLast).toList();
                for (int i = 0; i < frames.size(); i++) {
                    Frame frame = frames.get(i);
                    String gdbName = thread.gdbFrames().get(i).function();
                    boolean ours = frame.module()
                            .map(path -> path.startsWith(UnwindTestProgram.binary().getParent().toString())).orElse(false);
                    if (ours && !gdbName.endsWith("@plt")) { // PLT stubs have no symbols, gdb makes their names up.
                        assertEquals(Optional.of(gdbName), frame.function(),
                                thread.describe());
                    }
                }
                named.add(frames.stream().map(frame -> frame.function().orElse("??")).toList());
            }
        }
        return named;
    }

    private static String hex(List<Long> addresses) {
        return addresses.stream().map(Long::toHexString).toList().toString();
    }

    private List<String> singleThread(String mode) throws Exception {
        Process process = start(mode, "ready");
        List<List<String>> stacks = unwindLikeGdb(process.pid(), GdbCapture.attach(process.pid()));
        assertEquals(1, stacks.size());
        return stacks.getFirst();
    }

    @Test
    void aLeafWithoutAFrame() throws Exception {
        List<String> stack = singleThread("leaf");
        assertEquals(List.of("leaf_spin", "calls_leaf", "main"), stack.subList(0, 3), stack.toString());
        assertEquals("_start", stack.getLast(), stack.toString());
    }

    @Test
    void aSlowSyscallThroughItsLibcWrapper() throws Exception {
        List<String> stack = singleThread("syscall");
        assertTrue(stack.getFirst().contains("read"), stack.toString());
        assertEquals(List.of("blocks_in_read", "main"), stack.subList(1, 3), stack.toString());
    }

    @Test
    void aFunctionEndingInACallToANoreturnFunction() throws Exception {
        List<String> stack = singleThread("noreturn");
        int index = stack.indexOf("never_returns");
        assertTrue(index > 0, stack.toString());
        assertEquals(List.of("never_returns", "ends_in_noreturn_call", "main"), stack.subList(index, index + 3));
    }

    @Test
    void insideMemset() throws Exception {
        Process process = start("memset", "ready");
        // memset runs 99% of the time; a capture that lands in the loop around it is taken again.
        for (int attempt = 0; attempt < 20; attempt++) {
            List<GdbCapture.ThreadState> threads = GdbCapture.attach(process.pid());
            List<String> stack = unwindLikeGdb(process.pid(), threads).getFirst();
            if (stack.getFirst().contains("memset")) {
                assertEquals(List.of("fills_with_memset", "main"), stack.subList(1, 3), stack.toString());
                return;
            }
        }
        throw new AssertionError("never stopped inside memset in 20 attempts");
    }

    @Test
    void aSignalHandlerFrame() throws Exception {
        Process process = start("signal", "waiting-for-signal");
        Commands.run(Path.of("/"), Map.of(), List.of("kill", "-USR1", Long.toString(process.pid())));
        assertEquals("ready", UnwindTestProgram.nextLine(process));
        List<String> stack = unwindLikeGdb(process.pid(), GdbCapture.attach(process.pid())).getFirst();
        int handler = stack.indexOf("handler");
        assertTrue(handler > 0, stack.toString());
        assertTrue(stack.get(handler + 1).contains("restore_rt"), stack.toString());
        assertEquals("interrupted_by_signal", stack.get(handler + 2), "the interrupted frame, looked up at its pc");
        assertEquals("main", stack.get(handler + 3), stack.toString());
    }

    @Test
    void throughASharedLibraryAndBack() throws Exception {
        List<String> stack = singleThread("library");
        assertEquals(List.of("blocks_in_read", "called_back", "library_calls_back", "main"),
                stack.subList(1, 5), stack.toString());
    }

    @Test
    void insideAPltEntry() throws Exception {
        Process process = start("plt", "ready");
        List<GdbCapture.ThreadState> threads = GdbCapture.attachAtBreakpoint(process.pid(),
                "library_calls_back@plt", () -> {
                    try {
                        process.getOutputStream().write('x');
                        process.getOutputStream().flush();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        assertTrue(threads.getFirst().gdbFrames().getFirst().function().endsWith("@plt"), threads.getFirst().describe());
        List<String> stack = unwindLikeGdb(process.pid(), threads).getFirst();
        assertEquals(List.of("calls_library_per_byte", "main"), stack.subList(1, 3), stack.toString());
    }

    @Test
    void threadsContendingForTheMallocArenaLock() throws Exception {
        Process process = start("arena", "ready");
        for (int attempt = 0; attempt < 20; attempt++) {
            List<List<String>> stacks = unwindLikeGdb(process.pid(), GdbCapture.attach(process.pid()));
            assertEquals(9, stacks.size(), "main and eight workers");
            List<List<String>> waiting = stacks.stream()
                    .filter(stack -> stack.getFirst().contains("lll_lock_wait_private")).toList();
            if (!waiting.isEmpty()) {
                for (List<String> stack : waiting) {
                    assertTrue(stack.contains("worker"), stack.toString());
                    assertTrue(stack.getLast().endsWith("clone3"), stack.toString());
                }
                return;
            }
        }
        throw new AssertionError("no thread waited for the arena lock in 20 captures");
    }
}
