package io.nodescope.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directory trees standing in for cgroup mounts: ids are inode numbers, as in cgroupfs. */
class MemcgPathsTest {
    @TempDir
    Path cgroupRoot;

    private static long inode(Path dir) throws IOException {
        return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
    }

    @Test
    void v2WhenTheUnifiedRootHasTheMemoryController() throws IOException {
        Files.writeString(cgroupRoot.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        assertEquals(Optional.of(cgroupRoot), MemcgPaths.memoryHierarchy(cgroupRoot));
    }

    @Test
    void v1MemoryMountOtherwise() throws IOException {
        Files.writeString(cgroupRoot.resolve("cgroup.controllers"), "cpu io pids\n");
        Files.createDirectory(cgroupRoot.resolve("memory"));
        assertEquals(Optional.of(cgroupRoot.resolve("memory")), MemcgPaths.memoryHierarchy(cgroupRoot));
    }

    @Test
    void noMemoryHierarchyResolvesNothing() {
        MemcgPaths paths = MemcgPaths.discover(cgroupRoot);
        assertEquals(Optional.empty(), paths.pathOf(12345));
    }

    @Test
    void resolvesNestedCgroupsRelativeToTheHierarchy() throws IOException {
        Path pod = Files.createDirectories(cgroupRoot.resolve("memory/kubepods/burstable/pod1234"));
        MemcgPaths paths = MemcgPaths.discover(cgroupRoot);

        assertEquals(Optional.of("/kubepods/burstable/pod1234"), paths.pathOf(inode(pod)));
        assertEquals(Optional.of("/"), paths.pathOf(inode(cgroupRoot.resolve("memory"))));
    }

    @Test
    void aCgroupCreatedLaterIsFoundOnceTheRescanIntervalHasPassed() throws IOException {
        Path hierarchy = Files.createDirectories(cgroupRoot.resolve("memory"));
        AtomicLong now = new AtomicLong();
        MemcgPaths paths = new MemcgPaths(Optional.of(hierarchy), now::get);
        assertEquals(Optional.empty(), paths.pathOf(1)); // first scan
        Path late = Files.createDirectory(hierarchy.resolve("created-later"));

        now.addAndGet(MemcgPaths.MIN_RESCAN_INTERVAL_NANOS - 1);
        assertEquals(Optional.empty(), paths.pathOf(inode(late)), "no rescan within the interval");
        now.addAndGet(1);
        assertEquals(Optional.of("/created-later"), paths.pathOf(inode(late)));
    }
}
