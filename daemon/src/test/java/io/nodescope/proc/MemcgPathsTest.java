package io.nodescope.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
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
    void aCgroupCreatedAfterTheLastWalkIsFoundOnItsFirstLookup() throws IOException {
        Path hierarchy = Files.createDirectories(cgroupRoot.resolve("memory"));
        MemcgPaths paths = new MemcgPaths(Optional.of(hierarchy));
        assertEquals(Optional.of("/"), paths.pathOf(inode(hierarchy)));
        Path late = Files.createDirectory(hierarchy.resolve("created-later"));

        assertEquals(Optional.of("/created-later"), paths.pathOf(inode(late)));
        assertEquals(2, paths.scans());
    }

    @Test
    void anIdNoWalkFoundCostsOneWalkOnly() throws IOException {
        Path hierarchy = Files.createDirectories(cgroupRoot.resolve("memory"));
        MemcgPaths paths = new MemcgPaths(Optional.of(hierarchy));
        long removedLongAgo = 987_654_321L;

        assertEquals(Optional.empty(), paths.pathOf(removedLongAgo));
        assertEquals(Optional.empty(), paths.pathOf(removedLongAgo));
        assertEquals(1, paths.scans());
        assertEquals(Optional.of("/"), paths.pathOf(inode(hierarchy)), "known ids need no walk");
        assertEquals(1, paths.scans());
    }

    /** Pods come and go on a node while a walk runs: a vanishing sibling must not hide the target. */
    @Test
    void cgroupsRemovedDuringTheWalkDoNotHideOthers() throws Exception {
        Path hierarchy = Files.createDirectories(cgroupRoot.resolve("memory"));
        Path churn = Files.createDirectory(hierarchy.resolve("a-churn"));
        Path target = Files.createDirectories(hierarchy.resolve("z-kubepods/pod-target"));
        MemcgPaths paths = new MemcgPaths(Optional.of(hierarchy));
        Thread churner = Thread.ofPlatform().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    for (int i = 0; i < 50; i++) {
                        Files.createDirectories(churn.resolve("pod" + i).resolve("container"));
                    }
                    for (int i = 0; i < 50; i++) {
                        Files.delete(churn.resolve("pod" + i).resolve("container"));
                        Files.delete(churn.resolve("pod" + i));
                    }
                } catch (IOException e) {
                    return;
                }
            }
        });
        try {
            for (int scan = 0; scan < 300; scan++) {
                paths.pathOf(-1 - scan); // an id not asked for before forces a walk
                assertEquals(Optional.of("/z-kubepods/pod-target"), paths.pathOf(inode(target)), "scan " + scan);
            }
        } finally {
            churner.interrupt();
            churner.join();
        }
    }
}
