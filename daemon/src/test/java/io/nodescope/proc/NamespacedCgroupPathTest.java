package io.nodescope.proc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamespacedCgroupPathTest {
    private static final String VICTIM =
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podU.slice/cri-containerd-c.scope";

    @Test
    void withoutANamespaceOnlyTheSamePathMatches() {
        assertTrue(NamespacedCgroupPath.sameCgroup(VICTIM, VICTIM));
        assertFalse(NamespacedCgroupPath.sameCgroup(VICTIM, "/system.slice/cron.service"));
    }

    @Test
    void fromAPrivateNamespaceWhatFollowsTheDotsMustEndThePath() {
        assertTrue(NamespacedCgroupPath.sameCgroup(VICTIM,
                "/../../kubepods-burstable.slice/kubepods-burstable-podU.slice/cri-containerd-c.scope"));
        assertFalse(NamespacedCgroupPath.sameCgroup(VICTIM,
                "/../../kubepods-besteffort.slice/kubepods-besteffort-podV.slice/cri-containerd-d.scope"));
    }

    /** An ancestor of the reader's own cgroup: which one cannot be told, so it matches nothing. */
    @Test
    void onlyDotsMatchNothing() {
        assertFalse(NamespacedCgroupPath.sameCgroup(VICTIM, "/../.."));
    }
}
