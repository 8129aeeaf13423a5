package io.nodescope.proc;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessCgroupsTest {
    private static final CgroupHierarchy V1_MEMORY =
            new CgroupHierarchy(Path.of("/sys/fs/cgroup/memory"), Set.of("memory"), false);
    /** A hybrid node's /proc/<pid>/cgroup: v1 controllers, a named systemd hierarchy, the unified one. */
    private static final String HYBRID = """
            12:memory:/kubepods/burstable/podA/c1
            5:cpu,cpuacct:/kubepods/burstable/podA/c1-cpu
            1:name=systemd:/kubepods/burstable/podA/c1-systemd
            0::/unified/path
            """;

    @Test
    void picksTheLineOfEachHierarchy() {
        ProcessCgroups cgroups = ProcessCgroups.parse(HYBRID);

        assertEquals(Optional.of("/kubepods/burstable/podA/c1"),
                cgroups.pathIn(V1_MEMORY));
        assertEquals(Optional.of("/kubepods/burstable/podA/c1-cpu"),
                cgroups.pathIn(new CgroupHierarchy(Path.of("/sys/fs/cgroup/cpu,cpuacct"), Set.of("cpu", "cpuacct"), false)));
        assertEquals(Optional.of("/kubepods/burstable/podA/c1-systemd"),
                cgroups.pathIn(new CgroupHierarchy(Path.of("/sys/fs/cgroup/systemd"), Set.of("systemd"), false)));
        assertEquals(Optional.of("/unified/path"),
                cgroups.pathIn(new CgroupHierarchy(Path.of("/sys/fs/cgroup/unified"), Set.of(), true)));
    }

    @Test
    void skipsMalformedLines() {
        ProcessCgroups cgroups = ProcessCgroups.parse("garbage\nx:memory:/a\n4:memory:relative\n4:memory:/ok\n");

        assertEquals(Optional.of("/ok"), cgroups.pathIn(V1_MEMORY));
    }

    @Test
    void aHierarchyTheProcessIsNotInHasNoPath() {
        assertEquals(Optional.empty(), ProcessCgroups.parse("0::/only/unified\n")
                .pathIn(V1_MEMORY));
    }

    @Test
    void pathsSeenFromACgroupNamespaceMatchTheirAbsolutePath() {
        String victim = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podU.slice/cri-containerd-c.scope";

        assertTrue(ProcessCgroups.sameCgroup(victim, victim));
        assertTrue(ProcessCgroups.sameCgroup(victim,
                "/../../kubepods-burstable.slice/kubepods-burstable-podU.slice/cri-containerd-c.scope"));
        assertFalse(ProcessCgroups.sameCgroup(victim,
                "/../../kubepods-besteffort.slice/kubepods-besteffort-podV.slice/cri-containerd-d.scope"));
        assertFalse(ProcessCgroups.sameCgroup(victim, "/system.slice/cron.service"));
    }
}
