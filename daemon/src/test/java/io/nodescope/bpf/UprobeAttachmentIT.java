package io.nodescope.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nodescope.event.ProbeSource;
import io.nodescope.testing.Commands;
import io.nodescope.testing.RequiresRoot;
import io.nodescope.testing.RequiresTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module's uprobe attachment: bpf/test/uprobe_counter.bpf.c attached by file and offset to a
 * function of a program built here counts exactly the calls the program makes.
 */
@RequiresRoot("loads and attaches a BPF uprobe")
@RequiresTools(value = {"gcc", "nm", "readelf"}, install = "apt-get install gcc binutils")
class UprobeAttachmentIT {
    private static final int CALLS = 1000;

    @TempDir
    Path dir;

    @Test
    void aUprobeAtAFileOffsetCountsEveryCall() throws Exception {
        Path source = dir.resolve("ticks.c");
        Files.writeString(source, """
                #include <stdlib.h>
                __attribute__((noinline)) int tick(int i) { return i * 3; }
                int main(int argc, char **argv) {
                    int sum = 0;
                    for (int i = 0; i < atoi(argv[1]); i++) sum += tick(i);
                    return sum == -1;
                }
                """);
        Path binary = dir.resolve("ticks");
        Commands.run(dir, Map.of(), List.of("gcc", "-O1", "-o", binary.toString(), source.toString()));
        long offset = fileOffset(binary, "tick");
        KernelProbe.Ring ring = new KernelProbe.Ring("uprobe_events", 0);
        KernelProbe probe = new KernelProbe("uprobe_counter.bpf.o", Map.of(), List.of(ring), List.of(
                new KernelProbe.AttachGroup("tick calls", true, List.of(new KernelProbe.Attachment(ProbeSource.UPROBE,
                        List.of(new KernelProbe.Program.Uprobe("count_hit", binary, offset)))))));
        try (AttachedProbe attached = AttachedProbe.attach("uprobe-test", probe)) {
            Commands.run(dir, Map.of(), List.of(binary.toString(), Integer.toString(CALLS)));
            assertEquals(CALLS, attached.readCounter("hits", 0));
        }
    }

    /** The function's file offset: its address moved from its PT_LOAD segment's vaddr to its offset. */
    private static long fileOffset(Path binary, String function) {
        long address = Commands.run(binary.getParent(), Map.of(), List.of("nm", binary.toString())).lines()
                .map(line -> line.trim().split("\\s+"))
                .filter(fields -> fields.length == 3 && fields[2].equals(function))
                .mapToLong(fields -> Long.parseUnsignedLong(fields[0], 16)).findFirst().orElseThrow();
        for (String line : Commands.run(binary.getParent(), Map.of(), List.of("readelf", "-lW", binary.toString()))
                .lines().filter(line -> line.trim().startsWith("LOAD")).toList()) {
            String[] fields = line.trim().split("\\s+");
            long segmentOffset = Long.decode(fields[1]);
            long vaddr = Long.decode(fields[2]);
            long fileSize = Long.decode(fields[4]);
            if (address >= vaddr && address < vaddr + fileSize) {
                return address - vaddr + segmentOffset;
            }
        }
        throw new AssertionError(function + " at 0x" + Long.toHexString(address) + " is in no PT_LOAD segment");
    }
}
