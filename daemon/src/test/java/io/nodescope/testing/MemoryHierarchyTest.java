package io.nodescope.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v1/v2 file logic against cgroup files written into a temp dir. This project's machines
 * have v1 memory and a cgroup2 mount without the memory controller, so the v2 path never runs
 * for real here: it is covered with files in the v2 format the kernel documents
 * (Documentation/admin-guide/cgroup-v2.rst).
 */
class MemoryHierarchyTest {
    private static final long LIMIT = 64L << 20;

    @TempDir
    Path mount;

    @Test
    void choosesV2WhenChildrenGetTheMemoryController() throws IOException {
        Files.writeString(mount.resolve("cgroup.subtree_control"), "cpuset cpu io memory pids\n");

        MemoryHierarchy hierarchy = MemoryHierarchy.find(mount).orElseThrow();

        assertInstanceOf(MemoryHierarchy.V2.class, hierarchy);
        assertTrue(hierarchy.isV2());
        assertEquals(mount, hierarchy.root());
    }

    @Test
    void choosesV1WhenCgroup2LacksMemory() throws IOException {
        // This machine's shape: cgroup2 with other controllers only, memory on v1.
        Files.writeString(mount.resolve("cgroup.subtree_control"), "hugetlb\n");
        Files.createDirectory(mount.resolve("memory"));
        Files.writeString(mount.resolve("memory/memory.limit_in_bytes"), "9223372036854771712\n");

        MemoryHierarchy hierarchy = MemoryHierarchy.find(mount).orElseThrow();

        assertInstanceOf(MemoryHierarchy.V1.class, hierarchy);
        assertFalse(hierarchy.isV2());
        assertEquals(mount.resolve("memory"), hierarchy.root());
    }

    @Test
    void findsNothingWithoutAMemoryController() throws IOException {
        Files.writeString(mount.resolve("cgroup.subtree_control"), "cpu\n");

        assertTrue(MemoryHierarchy.find(mount).isEmpty());
    }

    @Test
    void v2LimitsMemoryAndSwap() throws IOException {
        Path cgroup = cgroupWith("memory.max", "memory.swap.max");

        new MemoryHierarchy.V2(mount).limit(cgroup, LIMIT);

        assertEquals(Long.toString(LIMIT), Files.readString(cgroup.resolve("memory.max")));
        assertEquals("0", Files.readString(cgroup.resolve("memory.swap.max")));
    }

    @Test
    void v2WithoutSwapAccountingLimitsMemoryOnly() throws IOException {
        Path cgroup = cgroupWith("memory.max");

        new MemoryHierarchy.V2(mount).limit(cgroup, LIMIT);

        assertEquals(Long.toString(LIMIT), Files.readString(cgroup.resolve("memory.max")));
        assertFalse(Files.exists(cgroup.resolve("memory.swap.max")));
    }

    @Test
    void v1LimitsMemoryAndMemoryPlusSwap() throws IOException {
        Path cgroup = cgroupWith("memory.limit_in_bytes", "memory.memsw.limit_in_bytes");

        new MemoryHierarchy.V1(mount).limit(cgroup, LIMIT);

        assertEquals(Long.toString(LIMIT), Files.readString(cgroup.resolve("memory.limit_in_bytes")));
        assertEquals(Long.toString(LIMIT), Files.readString(cgroup.resolve("memory.memsw.limit_in_bytes")));
    }

    @Test
    void v1WithoutSwapAccountingLimitsMemoryOnly() throws IOException {
        Path cgroup = cgroupWith("memory.limit_in_bytes");

        new MemoryHierarchy.V1(mount).limit(cgroup, LIMIT);

        assertEquals(Long.toString(LIMIT), Files.readString(cgroup.resolve("memory.limit_in_bytes")));
        assertFalse(Files.exists(cgroup.resolve("memory.memsw.limit_in_bytes")));
    }

    @Test
    void aMissingLimitFileIsAnErrorNotANewFile() throws IOException {
        Path cgroup = cgroupWith();

        assertThrows(UncheckedIOException.class, () -> new MemoryHierarchy.V2(mount).limit(cgroup, LIMIT));
        assertFalse(Files.exists(cgroup.resolve("memory.max")));
    }

    @Test
    void v2CountsOomKillsFromMemoryEvents() throws IOException {
        Path cgroup = cgroupWith();
        // oom_group_kill shares the prefix: only the exact key may match.
        Files.writeString(cgroup.resolve("memory.events"),
                "low 0\nhigh 0\nmax 25\noom 1\noom_kill 3\noom_group_kill 0\n");

        assertEquals(3, new MemoryHierarchy.V2(mount).oomKillCount(cgroup));
    }

    @Test
    void v1CountsOomKillsFromOomControl() throws IOException {
        Path cgroup = cgroupWith();
        Files.writeString(cgroup.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");

        assertEquals(2, new MemoryHierarchy.V1(mount).oomKillCount(cgroup));
    }

    @Test
    void procsFileIsTheSameNameOnBothVersions() {
        Path cgroup = mount.resolve("child");

        assertEquals(cgroup.resolve("cgroup.procs"), new MemoryHierarchy.V1(mount).procsFile(cgroup));
        assertEquals(cgroup.resolve("cgroup.procs"), new MemoryHierarchy.V2(mount).procsFile(cgroup));
    }

    /** A child cgroup as the kernel would present it: the knobs exist, holding "max". */
    private Path cgroupWith(String... knobs) throws IOException {
        Path cgroup = Files.createDirectory(mount.resolve("child"));
        for (String knob : knobs) {
            Files.writeString(cgroup.resolve(knob), "max\n");
        }
        return cgroup;
    }
}
