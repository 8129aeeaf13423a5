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
        Symbolizer symbolizer = symbolizer(KALLSYMS, "ext4 1000 0 - Live 0xffffffffc0a00000\n");
        long xfsAddress = 0xffffffffc0b00010L;
        assertEquals(Optional.of("ext4_iget"), symbolizer.symbolizeKernel(List.of(xfsAddress)).get(0).function());

        Files.writeString(proc.resolve("kallsyms"), KALLSYMS + "ffffffffc0b00000 t xfs_iget\t[xfs]\n");
        // Only the reference count changed: kallsyms is not reread, the stale answer stays.
        Files.writeString(proc.resolve("modules"), "ext4 1000 7 - Live 0xffffffffc0a00000\n");
        assertEquals(Optional.of("ext4_iget"), symbolizer.symbolizeKernel(List.of(xfsAddress)).get(0).function());

        Files.writeString(proc.resolve("modules"),
                "ext4 1000 7 - Live 0xffffffffc0a00000\nxfs 2000 0 - Live 0xffffffffc0b00000\n");
        Frame frame = symbolizer.symbolizeKernel(List.of(xfsAddress)).get(0);
        assertEquals(Optional.of("xfs_iget"), frame.function());
        assertEquals(Optional.of("xfs"), frame.module());
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
}
