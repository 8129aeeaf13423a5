package io.nodescope.event;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A cgroup's path as the kernel's kernfs names it at the moment of an event, read in BPF so it
 * survives the cgroup's removal (a reaped container's cgroup can be gone before the daemon looks).
 *
 * @param namesInnermostFirst directory names from the cgroup up to, not including, the hierarchy's root
 * @param idsInnermostFirst   the kernfs id of each of those directories
 * @param truncated           the path is deeper than the kernel side records: outermost levels are missing
 */
public record CgroupPath(List<String> namesInnermostFirst, List<Long> idsInnermostFirst, boolean truncated) {
    public CgroupPath {
        namesInnermostFirst = List.copyOf(namesInnermostFirst);
        idsInnermostFirst = List.copyOf(idsInnermostFirst);
        if (namesInnermostFirst.size() != idsInnermostFirst.size()) {
            throw new IllegalArgumentException("a name and an id per level");
        }
    }

    /** "/kubepods/burstable/pod.../cri-containerd-....scope"; "/" for the root; "…/" prefixed when truncated. */
    public String path() {
        List<String> outermostFirst = new ArrayList<>(namesInnermostFirst);
        Collections.reverse(outermostFirst);
        return (truncated ? "…/" : "/") + String.join("/", outermostFirst);
    }
}
