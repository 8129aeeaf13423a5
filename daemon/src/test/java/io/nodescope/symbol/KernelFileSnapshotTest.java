package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.event.KernelFile;
import io.nodescope.event.StackMappings;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.event.UserFrameFiles.FileLocation;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.testing.Commands;
import io.nodescope.testing.RequiresTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frames of a process that is gone, named from the files the kernel located them in: a real gcc
 * binary, described as the BPF program describes it (device, inode, path in its filesystem, file
 * offset), found through a mount table that maps its filesystem at /. No process and no privileges:
 * the fake /proc has no pid 1 to read, so the daemon's own namespace is what is searched.
 */
@RequiresTools(value = {"gcc", "nm", "readelf"}, install = "apt-get install gcc binutils")
class KernelFileSnapshotTest {
    private static final int GONE_PID = 99999;
    private static final long ANY_ADDRESS = 0x55d0c0de1000L;

    @TempDir
    Path proc;

    private final MetricsRegistry metrics = new MetricsRegistry();
    private Path binary;
    private KernelFile described;

    @BeforeEach
    void describeABuiltBinaryAsTheKernelWould() throws IOException {
        binary = CTestProgram.build("kernel-file-pie", List.of("-g"));
        Map<String, Object> stat = Files.readAttributes(binary, "unix:dev,ino");
        long device = (Long) stat.get("dev");
        int major = KernelFileLocator.deviceMajor(device);
        int minor = KernelFileLocator.deviceMinor(device);
        // Its filesystem mounted at / in this fake table, so the path in the filesystem is the absolute path.
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(proc.resolve("self/mountinfo"), "25 1 " + major + ":" + minor + " / / rw - ext4 /dev/x rw\n");
        List<String> names = List.of(binary.toAbsolutePath().toString().substring(1).split("/"));
        described = new KernelFile(major, minor, (Long) stat.get("ino"), names, false);
    }

    @Test
    void aLocatedFrameIsNamedFromTheFileAndAnUnlocatedOneKeepsItsAddress() {
        long functionStart = CTestProgram.functions(binary).stream()
                .filter(function -> function.name().equals("allocate_block")).findFirst().orElseThrow().start();
        UserFrameFiles frameFiles = new UserFrameFiles(List.of(
                Optional.of(new FileLocation(described, fileOffset(binary, functionStart + 4))),
                Optional.empty()), 0);

        List<Frame> frames = symbolize(frameFiles, List.of(ANY_ADDRESS, 0x42L));

        assertEquals(Optional.of("allocate_block"), frames.get(0).function(), frames.get(0).toStackLine());
        assertEquals(4, frames.get(0).offsetInFunction());
        assertEquals(Optional.of(binary.toAbsolutePath().toString()), frames.get(0).module());
        assertTrue(frames.get(0).sourceFile().orElseThrow().endsWith("allocate.c"), frames.get(0).toStackLine());
        assertEquals("0x42", frames.get(1).toStackLine());
    }

    /**
     * Where pid 1 refuses the ptrace check /proc/1/root needs (its root reads as denied here: it is
     * missing), the kernel's first mount namespace is reached through kthreadd, pid 2.
     */
    @Test
    void aFileIsFoundThroughKthreaddsRootWherePid1sIsRefused() throws IOException {
        String hostMounts = Files.readString(proc.resolve("self/mountinfo"));
        Files.createDirectories(proc.resolve("1"));
        Files.writeString(proc.resolve("1/mountinfo"), hostMounts);
        Files.createDirectories(proc.resolve("2"));
        Files.writeString(proc.resolve("2/mountinfo"), hostMounts);
        Files.createSymbolicLink(proc.resolve("2/root"), Path.of("/"));
        Files.writeString(proc.resolve("self/mountinfo"), ""); // the daemon's own namespace: a container's
        long functionStart = CTestProgram.functions(binary).stream()
                .filter(function -> function.name().equals("allocate_block")).findFirst().orElseThrow().start();
        UserFrameFiles frameFiles = new UserFrameFiles(List.of(
                Optional.of(new FileLocation(described, fileOffset(binary, functionStart + 4)))), 0);

        Frame frame = symbolize(frameFiles, List.of(ANY_ADDRESS)).getFirst();

        assertEquals(Optional.of("allocate_block"), frame.function(), frame.toStackLine());
        assertEquals(Optional.of(binary.toAbsolutePath().toString()), frame.module());
    }

    /** The span's path for a trigger gone before its maps were read: a caller is named by the byte before. */
    @Test
    void aLocatedCallerFrameIsNamedAtItsReturnAddressMinusOne() {
        long functionStart = CTestProgram.functions(binary).stream()
                .filter(function -> function.name().equals("allocate_block")).findFirst().orElseThrow().start();
        FileLocation inAllocateBlock = new FileLocation(described, fileOffset(binary, functionStart + 4));
        UserFrameFiles frameFiles = new UserFrameFiles(List.of(Optional.empty(), Optional.of(inAllocateBlock)), 0);

        Frame caller = symbolize(frameFiles, List.of(0x42L, ANY_ADDRESS)).get(1);

        assertEquals(Optional.of("allocate_block"), caller.function(), caller.toStackLine());
        assertEquals(4, caller.offsetInFunction(), "the line shows the return address: " + caller.toStackLine());
        assertEquals(CTestProgram.addr2line(binary, List.of(functionStart + 3)),
                List.of(caller.sourceFile().orElse("??") + ":" + caller.line()), "file:line of the byte before");
    }

    @Test
    void aFileReplacedSinceTheEventIsNotUsed() {
        KernelFile replaced = new KernelFile(described.deviceMajor(), described.deviceMinor(), described.inode() + 1,
                described.namesFromRoot(), false);
        UserFrameFiles frameFiles = new UserFrameFiles(List.of(Optional.of(new FileLocation(replaced, 0x1000))), 0);

        assertEquals("0x" + Long.toHexString(ANY_ADDRESS), symbolize(frameFiles, List.of(ANY_ADDRESS)).get(0).toStackLine());
        assertTrue(metrics.renderPrometheusText().contains("nodescope_symbol_failures_total{cause=\"not_located\"} 1.0"),
                metrics.renderPrometheusText());
    }

    /** A trigger gone before its maps were read: an address in a mapping the kernel recorded at the event. */
    @Test
    void anAddressInARecordedMappingOfAGoneProcessIsNamed() {
        long functionStart = CTestProgram.functions(binary).stream()
                .filter(function -> function.name().equals("allocate_block")).findFirst().orElseThrow().start();
        long base = 0x55d0c0000000L;
        StackMappings mappings = new StackMappings(List.of(
                new StackMappings.Mapping(base, base + (1 << 20), 0, described)), 3, 0, 0);
        long address = base + fileOffset(binary, functionStart + 4);

        Symbolizer symbolizer = Symbolizer.create(proc, Path.of("/"), metrics);
        try (ProcessSnapshot snapshot = symbolizer.snapshotWithStackMappings(GONE_PID, mappings, Optional.empty())) {
            assertEquals(1, snapshot.executableRegionCount());
            Frame frame = symbolizer.symbolizeUser(snapshot, List.of(address)).getFirst();
            assertEquals(Optional.of("allocate_block"), frame.function(), frame.toStackLine());
            assertEquals(4, frame.offsetInFunction());
        }
    }

    /**
     * What the kernel did not record comes from the live process's maps, taken at arrival; where
     * both have a region, the kernel's wins. Closing the combined snapshot leaves the live one usable.
     */
    @Test
    void theLiveMapsFillInWhatTheKernelDidNotRecord() throws IOException {
        long functionStart = CTestProgram.functions(binary).stream()
                .filter(function -> function.name().equals("allocate_block")).findFirst().orElseThrow().start();
        int livePid = 4242;
        Path process = Files.createDirectories(proc.resolve(Integer.toString(livePid)));
        Files.createSymbolicLink(process.resolve("root"), Path.of("/"));
        long recordedBase = 0x55d0c0000000L;
        long liveOnlyBase = 0x7f0000000000L;
        // The live maps: the same file at the recorded range and at one the kernel did not record.
        String line = " r-xp 00000000 00:00 " + described.inode() + " " + binary.toAbsolutePath() + "\n";
        Files.writeString(process.resolve("maps"),
                Long.toHexString(recordedBase) + "-" + Long.toHexString(recordedBase + (1 << 20)) + line
                        + Long.toHexString(liveOnlyBase) + "-" + Long.toHexString(liveOnlyBase + (1 << 20)) + line);
        StackMappings mappings = new StackMappings(List.of(
                new StackMappings.Mapping(recordedBase, recordedBase + (1 << 20), 0, described)), 300, 7, 0);
        long offset = fileOffset(binary, functionStart + 4);

        Symbolizer symbolizer = Symbolizer.create(proc, Path.of("/"), metrics);
        try (ProcessSnapshot live = symbolizer.snapshot(livePid)) {
            try (ProcessSnapshot combined = symbolizer.snapshotWithStackMappings(livePid, mappings, Optional.of(live))) {
                assertEquals(2, combined.executableRegionCount(), "the overlapping live region is left out");
                assertEquals(Optional.of("allocate_block"),
                        symbolizer.symbolizeUser(combined, List.of(liveOnlyBase + offset)).getFirst().function());
            }
            assertEquals(Optional.of("allocate_block"),
                    symbolizer.symbolizeUser(live, List.of(recordedBase + offset)).getFirst().function());
        }
    }

    private List<Frame> symbolize(UserFrameFiles frameFiles, List<Long> addresses) {
        Symbolizer symbolizer = Symbolizer.create(proc, Path.of("/"), metrics);
        try (ProcessSnapshot snapshot = symbolizer.snapshotFromKernelFiles(GONE_PID, addresses, frameFiles)) {
            return symbolizer.symbolizeUser(snapshot, addresses);
        }
    }

    /** The file offset of an ELF virtual address, from the LOAD segment holding it (readelf -lW). */
    private static long fileOffset(Path binary, long address) {
        for (String line : Commands.run(binary.getParent(), Map.of(), List.of("readelf", "-lW", binary.toString()))
                .lines().map(String::trim).filter(line -> line.startsWith("LOAD")).toList()) {
            String[] fields = line.split("\\s+");
            long offset = Long.decode(fields[1]);
            long start = Long.decode(fields[2]);
            long memorySize = Long.decode(fields[5]);
            if (address >= start && address < start + memorySize) {
                return address - start + offset;
            }
        }
        throw new AssertionError("no LOAD segment holds 0x" + Long.toHexString(address));
    }
}
