package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.testing.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelSymbolizerTest {
    private static final String KALLSYMS = """
            ffffffff81000000 T _stext
            ffffffff81001000 T do_one_initcall
            ffffffff81002000 D some_data
            ffffffff81003000 t schedule
            ffffffffc0a00000 t ext4_fill_super\t[ext4]
            ffffffffc0a00400 T ext4_iget\t[ext4]
            """;

    @TempDir
    Path proc;

    private Symbolizer symbolizer(String kallsyms, String modules) throws IOException {
        Files.writeString(proc.resolve("kallsyms"), kallsyms);
        Files.writeString(proc.resolve("modules"), modules);
        return Symbolizer.create(proc, new MetricsRegistry());
    }

    @Test
    void namesKernelAndModuleFunctionsWithOffsets() throws IOException {
        List<Frame> frames = symbolizer(KALLSYMS, "ext4 1000 0 - Live 0xffffffffc0a00000\n").symbolizeKernel(
                List.of(0xffffffff81001010L, 0xffffffff81003001L, 0xffffffffc0a00410L));
        assertEquals("do_one_initcall+0x10 ([kernel.kallsyms]+0xffffffff81001010)", frames.get(0).toStackLine());
        // Data symbols are not candidates: the address after some_data belongs to the text symbol before it.
        assertEquals(Optional.of("schedule"), frames.get(1).function());
        assertEquals(Optional.of("ext4"), frames.get(2).module());
        assertEquals("ext4_iget", frames.get(2).function().orElseThrow());
        assertEquals(0x10, frames.get(2).offsetInFunction());
    }

    @Test
    void addressBelowEveryKernelSymbolKeepsItsAddress() throws IOException {
        Frame frame = symbolizer(KALLSYMS, "").symbolizeKernel(List.of(0x1000L)).get(0);
        assertEquals(Optional.empty(), frame.function());
        assertEquals("0x1000 ([kernel.kallsyms]+0x1000)", frame.toStackLine());
    }

    @Test
    void reloadsKallsymsWhenTheModuleListChanges() throws IOException {
        Symbolizer symbolizer = symbolizer(KALLSYMS, "ext4 4096 0 - Live 0xffffffffc0a00000\n");
        long xfsAddress = 0xffffffffc0b00010L;
        // Beyond ext4's end (load address + size): never ext4's last function.
        assertEquals(Optional.empty(), symbolizer.symbolizeKernel(List.of(xfsAddress)).get(0).function());

        Files.writeString(proc.resolve("kallsyms"), KALLSYMS + "ffffffffc0b00000 t xfs_iget\t[xfs]\n");
        Files.writeString(proc.resolve("modules"),
                "ext4 4096 7 - Live 0xffffffffc0a00000\nxfs 8192 0 - Live 0xffffffffc0b00000 (OE)\n");
        Frame frame = symbolizer.symbolizeKernel(List.of(xfsAddress)).get(0);
        assertEquals(Optional.of("xfs_iget"), frame.function());
        assertEquals(Optional.of("xfs"), frame.module());
    }

    /** The end of the image's text and of its init text (_etext, _einittext) as /proc/kallsyms lists them. */
    private static final String IMAGE_WITH_SECTION_ENDS = """
            ffffffff81000000 T _stext
            ffffffff81001000 T mark_oom_victim
            ffffffff81002000 T bpf_trace_run2
            ffffffff81003000 T __traceiter_mark_victim
            ffffffff81004000 T out_of_memory
            ffffffff82200000 T _etext
            ffffffff83700000 T _sinittext
            ffffffff83700010 t init_one
            ffffffff837f8910 T _einittext
            """;

    @Test
    void anAddressPastASectionEndIsNeverTheLastSymbolsOrTheMarkers() throws IOException {
        Symbolizer symbolizer = symbolizer(IMAGE_WITH_SECTION_ENDS, "");
        // Each its own stack's innermost frame: named where it is (a caller would be named a byte before).
        List<Frame> frames = Stream.of(0xffffffff82200010L, 0xffffffffc0026d65L, 0xffffffff837f8910L, 0xffffffff83700020L)
                .map(pc -> symbolizer.symbolizeKernel(List.of(pc)).getFirst()).toList();
        assertEquals("0xffffffff82200010 ([kernel.kallsyms]+0xffffffff82200010)", frames.get(0).toStackLine());
        assertEquals("0xffffffffc0026d65 ([kernel.kallsyms]+0xffffffffc0026d65)", frames.get(1).toStackLine());
        assertEquals(Optional.empty(), frames.get(2).function());
        assertEquals("init_one+0x10 ([kernel.kallsyms]+0xffffffff83700020)", frames.get(3).toStackLine());
    }

    @Test
    void bpfProgramsAreNamedAsKallsymsNamesThem() throws IOException {
        String kallsyms = IMAGE_WITH_SECTION_ENDS + """
                ffffffffc0025ba0 t bpf_prog_b3100f77a6e8fce3_oom_mark_victim_btf	[bpf]
                ffffffffc0026000 t bpf_trampoline_6442468310	[bpf]
                """;
        Frame frame = symbolizer(kallsyms, "").symbolizeKernel(List.of(0xffffffffc0025c10L)).get(0);
        assertEquals("bpf_prog_b3100f77a6e8fce3_oom_mark_victim_btf+0x70 (bpf+0xffffffffc0025c10)",
                frame.toStackLine());
    }

    /**
     * Shaped like a real OOM stack from tp_btf, innermost first: nodescope's program, bpf_trace_run2,
     * __traceiter_mark_victim, then the kernel's path from mark_oom_victim.
     */
    private static final List<Long> OOM_STACK_FROM_TP_BTF = List.of(
            0xffffffffc0026d65L, 0xffffffff81002042L, 0xffffffff8100302fL, 0xffffffff810010baL, 0xffffffff81004214L);

    @Test
    void theTracersOwnFramesAreNotPartOfTheStack() throws IOException {
        String withProgram = IMAGE_WITH_SECTION_ENDS
                + "ffffffffc0026c00 t bpf_prog_b3100f77a6e8fce3_oom_mark_victim_btf\t[bpf]\n";
        List<String> frames = symbolizer(withProgram, "").symbolizeKernel(OOM_STACK_FROM_TP_BTF).stream()
                .map(Frame::toStackLine).toList();
        assertEquals(List.of("mark_oom_victim+0xba ([kernel.kallsyms]+0xffffffff810010ba)",
                "out_of_memory+0x214 ([kernel.kallsyms]+0xffffffff81004214)"), frames);
    }

    @Test
    void aBpfProgramLoadedAfterTheTableWasReadIsNamedFromAFreshRead() throws IOException {
        Symbolizer symbolizer = symbolizer(IMAGE_WITH_SECTION_ENDS, "");
        symbolizer.symbolizeKernel(List.of()); // Read at start, before any program is loaded.
        // Another tool's program, running inside the traced path (not nodescope's own frames).
        Files.writeString(proc.resolve("kallsyms"), IMAGE_WITH_SECTION_ENDS
                + "ffffffffc0030000 t bpf_prog_0123456789abcdef_other_tool\t[bpf]\n");
        Frame frame = symbolizer.symbolizeKernel(List.of(0xffffffffc0030010L, 0xffffffff81004214L)).get(0);
        assertEquals(Optional.of("bpf_prog_0123456789abcdef_other_tool"), frame.function());
        assertEquals(Optional.of("bpf"), frame.module());
    }

    @Test
    void aCallerIsNamedByItsCallNotByTheFunctionItsReturnAddressStarts() throws IOException {
        // A call that is do_one_initcall's last instruction returns to schedule's first byte.
        List<Frame> frames = symbolizer(KALLSYMS, "").symbolizeKernel(List.of(0xffffffff81003000L, 0xffffffff81003000L));
        assertEquals("schedule+0x0 ([kernel.kallsyms]+0xffffffff81003000)", frames.get(0).toStackLine(),
                "the innermost frame is a pc: named where it is");
        assertEquals("do_one_initcall+0x2000 ([kernel.kallsyms]+0xffffffff81003000)", frames.get(1).toStackLine(),
                "a caller shows its return address, named by the call before it");
    }

    @Test
    void withoutATracerFunctionNothingIsDropped() throws IOException {
        // kallsyms unreadable: the stack keeps every address rather than guess which are the tracer's.
        Files.writeString(proc.resolve("modules"), "");
        List<Frame> frames = Symbolizer.create(proc, new MetricsRegistry()).symbolizeKernel(OOM_STACK_FROM_TP_BTF);
        assertEquals(OOM_STACK_FROM_TP_BTF.size(), frames.size());
    }

    @Test
    void hiddenAddressesAreToldApartFromAnEmptyTable() {
        assertTrue(Kallsyms.parse("0000000000000000 T _stext\n0000000000000000 T schedule\n").addressesHidden());
        assertEquals(0, Kallsyms.parse("").size());
    }

    @Test
    @RequiresRoot("reads real addresses from /proc/kallsyms, which shows zeros without CAP_SYSLOG")
    void resolvesARealKernelSymbolReadFromProcKallsyms() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/kallsyms")).stream()
                .filter(l -> l.endsWith(" T schedule")).findFirst().orElseThrow();
        long schedule = Long.parseUnsignedLong(line.substring(0, line.indexOf(' ')), 16);
        Frame frame = Symbolizer.create(Path.of("/proc"), new MetricsRegistry())
                .symbolizeKernel(List.of(schedule + 1)).get(0);
        assertEquals("schedule+0x1", frame.toStackLine().substring(0, "schedule+0x1".length()));
    }

    /**
     * Against this kernel's /proc/kallsyms: just past _einittext (the end of the image's text) is no
     * function, and the BPF programs loaded now (nodescope's own while the ITs run, any other tool's)
     * are named as kallsyms names them.
     */
    @Test
    @RequiresRoot("reads real addresses from /proc/kallsyms, which shows zeros without CAP_SYSLOG")
    void namesRealBpfProgramsAndNothingPastTheImagesEnd() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/kallsyms"));
        long einittext = address(lines.stream().filter(l -> l.endsWith(" T _einittext")).findFirst().orElseThrow());
        Symbolizer symbolizer = Symbolizer.create(Path.of("/proc"), new MetricsRegistry());
        assertEquals(Optional.empty(), symbolizer.symbolizeKernel(List.of(einittext + 0x10)).get(0).function());

        List<String> programs = lines.stream().filter(l -> l.matches("\\p{XDigit}+ t bpf_prog_\\w+\t\\[bpf]"))
                .limit(50).toList();
        List<Frame> frames = symbolizer.symbolizeKernel(programs.stream().map(p -> address(p) + 1).toList());
        // Other processes load and unload programs meanwhile: check those listed before and after.
        List<String> after = Files.readAllLines(Path.of("/proc/kallsyms"));
        for (int i = 0; i < programs.size(); i++) {
            String program = programs.get(i);
            if (after.contains(program)) {
                assertEquals(Optional.of(program.split("[ \t]")[2]), frames.get(i).function(), program);
                assertEquals(Optional.of("bpf"), frames.get(i).module(), program);
            }
        }
    }

    private static long address(String kallsymsLine) {
        return Long.parseUnsignedLong(kallsymsLine.substring(0, kallsymsLine.indexOf(' ')), 16);
    }
}
