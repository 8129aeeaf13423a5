package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.event.KernelFile;
import io.nodescope.event.RawStack;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.metrics.MetricsRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Symbolizes running processes through the real /proc: the test program prints where its functions
 * are (ASLR picks the PIE and library bases) and blocks in pause(); its user stack is read from
 * /proc/PID/mem. The owner of a child may read its memory, so this needs no root.
 */
@RequiresTestBinaries
class LiveProcessSymbolizerTest {
    private final MetricsRegistry metrics = new MetricsRegistry();
    private final Symbolizer symbolizer = Symbolizer.create(Path.of("/proc"), metrics);
    private final List<Process> started = new ArrayList<>();

    private record Waiting(Process process, Map<String, Long> functionAddresses) {}

    @AfterEach
    void stopPrograms() throws InterruptedException {
        for (Process process : started) {
            process.destroyForcibly().waitFor();
        }
    }

    private Waiting startWaiting(String binary) throws IOException {
        Process process = new ProcessBuilder(SymbolTestBinaries.file(binary).toString(), "wait").start();
        started.add(process);
        Map<String, Long> addresses = new HashMap<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (int i = 0; i < 3; i++) {
            String[] fields = out.readLine().split(" ");
            addresses.put(fields[0], Long.parseUnsignedLong(fields[1].substring(2), 16));
        }
        return new Waiting(process, addresses);
    }

    /**
     * A file below a directory name too long for the kernel side (a 64-hex layer directory of
     * podman, CRI-O or Docker) cannot be found from its kill-time location: the live maps name it.
     */
    @Test
    void aFrameWhoseKernelPathWasTruncatedIsNamedFromTheLiveProcess() throws IOException {
        Waiting waiting = startWaiting("target-pie");
        int pid = (int) waiting.process().pid();
        long address = waiting.functionAddresses().get("static_helper") + 2;
        KernelFile truncated = new KernelFile(0, 0, 1, List.of("target-pie"), true);
        RawStack userStack = new RawStack(List.of(address), 0);
        UserFrameFiles frameFiles = new UserFrameFiles(List.of(Optional.of(new UserFrameFiles.FileLocation(truncated, 0))),
                0);
        StackSymbolizer stacks = new StackSymbolizer(symbolizer);

        NamedStacks named = stacks.symbolize(stacks.capture(pid, userStack, frameFiles), RawStack.EMPTY, userStack);

        assertEquals(Optional.of("static_helper"), named.user().getFirst().function(), named.user().toString());
    }

    @Test
    void pieNonPieAndSharedLibraryFunctionsResolveToNameFileAndLineInALiveProcess() throws IOException {
        for (String binary : List.of("target-pie", "target-nopie")) {
            Waiting waiting = startWaiting(binary);
            try (ProcessSnapshot snapshot = symbolizer.snapshot((int) waiting.process().pid())) {
                Map<String, Long> at = waiting.functionAddresses();
                List<Frame> frames = symbolizer.symbolizeUser(snapshot, List.of(
                        at.get("wait_in_known_function") + 4, at.get("static_helper") + 2,
                        at.get("static_in_library") + 1));
                assertFrame(frames.get(0), "wait_in_known_function", 4, binary);
                assertFrame(frames.get(1), "static_helper", 2, binary);
                assertFrame(frames.get(2), "static_in_library", 1, "libsymtest.so");
                long helper = SymbolTestBinaries.nmAddress(binary, "static_helper") + 2;
                long library = SymbolTestBinaries.nmAddress("libsymtest.so", "static_in_library") + 1;
                assertEquals(helper, frames.get(1).moduleOffset(), "the module offset is the address nm and addr2line use");
                assertEquals(CTestProgram.addr2line(SymbolTestBinaries.file(binary), List.of(helper)),
                        List.of(sourceOf(frames.get(1))), "file:line from the binary's DWARF");
                assertEquals(CTestProgram.addr2line(SymbolTestBinaries.file("libsymtest.so"), List.of(library)),
                        List.of(sourceOf(frames.get(2))), "file:line from the library's DWARF");
                assertTrue(frames.get(1).toStackLine().endsWith("target.c:" + frames.get(1).line()),
                        frames.get(1).toStackLine());
            }
        }
    }

    private static String sourceOf(Frame frame) {
        return frame.sourceFile().orElse("??") + ":" + frame.line();
    }

    private static void assertFrame(Frame frame, String function, long offset, String moduleFileName) {
        assertEquals(Optional.of(function), frame.function(), frame.toStackLine());
        assertEquals(offset, frame.offsetInFunction(), frame.toStackLine());
        assertTrue(frame.module().orElseThrow().endsWith("/" + moduleFileName), frame.toStackLine());
    }

    @Test
    void framesStayResolvableAfterTheProcessExits() throws Exception {
        Waiting waiting = startWaiting("target-pie");
        ProcessSnapshot snapshot = symbolizer.snapshot((int) waiting.process().pid());
        waiting.process().destroyForcibly().waitFor();
        assertTrue(Files.notExists(Path.of("/proc/" + waiting.process().pid() + "/maps")), "the process is gone");

        List<Frame> frames = symbolizer.symbolizeUser(snapshot,
                List.of(waiting.functionAddresses().get("static_in_library") + 1));
        assertEquals(Optional.of("static_in_library"), frames.get(0).function(), frames.get(0).toStackLine());
    }

    @Test
    void realStackReadFromProcNamesTheBlockedFunctionAndItsCallers() throws Exception {
        Waiting waiting = startWaiting("target-nopie");
        int pid = (int) waiting.process().pid();
        long[] stackPointerAndPc = blockedStackPointerAndPc(pid);
        try (ProcessSnapshot snapshot = symbolizer.snapshot(pid)) {
            List<Long> stack = new ArrayList<>();
            stack.add(stackPointerAndPc[1]);
            stack.addAll(codeAddressesOnStack(pid, stackPointerAndPc[0], snapshot));
            List<Frame> frames = symbolizer.symbolizeUser(snapshot, stack);
            List<String> functions = frames.stream().map(f -> f.function().orElse("?")).toList();

            assertTrue(frames.get(0).module().orElseThrow().contains("libc"), frames.get(0).toStackLine());
            assertTrue(frames.get(0).function().orElseThrow().contains("pause"), frames.get(0).toStackLine());
            assertTrue(functions.contains("wait_in_known_function"), functions.toString());
            assertTrue(functions.contains("main"), functions.toString());
        }
    }

    /**
     * /proc/PID/syscall reads "NR args... SP PC" once the process sleeps in a system call. Waits for
     * that state rather than for a time: the program prints before it reaches pause().
     */
    private static long[] blockedStackPointerAndPc(int pid) throws IOException, InterruptedException {
        while (true) {
            String[] fields = Files.readString(Path.of("/proc/" + pid + "/syscall")).trim().split(" ");
            String state = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll("^.*\\) ", "").substring(0, 1);
            if (fields.length == 9 && state.equals("S")) {
                return new long[] {Long.decode(fields[7]), Long.decode(fields[8])};
            }
            Thread.onSpinWait();
            Thread.sleep(1);
        }
    }

    /** The words on the stack that point into executable mappings: return addresses, for a scan. */
    private static List<Long> codeAddressesOnStack(int pid, long stackPointer, ProcessSnapshot snapshot)
            throws IOException {
        ByteBuffer words = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
        try (RandomAccessFile memory = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
            memory.getChannel().read(words, stackPointer);
        }
        words.flip();
        List<Long> code = new ArrayList<>();
        while (words.remaining() >= 8) {
            long word = words.getLong();
            if (snapshot.regionOf(word).isPresent()) {
                code.add(word);
            }
        }
        return code;
    }
}
