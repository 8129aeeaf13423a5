package io.nodescope.proc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Mount points rebuilt from the files that tell them apart. */
class CgroupHierarchyTest {
    @TempDir
    Path cgroupRoot;

    @Test
    void aCgroup2MountHasCgroupControllersInItsRoot() throws IOException {
        Path unified = Files.createDirectory(cgroupRoot.resolve("unified"));
        Files.writeString(unified.resolve("cgroup.controllers"), "\n");

        assertEquals(new CgroupHierarchy(unified, Set.of(), true), CgroupHierarchy.at(unified));
    }

    @Test
    void aV1MountIsNamedAfterItsControllers() throws IOException {
        Path cpu = Files.createDirectory(cgroupRoot.resolve("cpu,cpuacct"));

        assertEquals(new CgroupHierarchy(cpu, Set.of("cpu", "cpuacct"), false), CgroupHierarchy.at(cpu));
    }
}
