package io.nodescope.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * The kill on a busy node: one process allocates (the trigger), the OOM killer picks another,
 * bigger one (the victim, "the hog"). The trigger lives on, so its user stack is named from its
 * own live process. The processes belong to whatever started them (a cgroup, a container), which
 * kills what is left.
 */
public record NeighbourKill(Process hog, Process trigger) {
    /**
     * Starts hog, bystander and trigger through launcher (a cgroup's start, a podman exec) in one
     * memory cgroup, whose limit must be under 36 MiB (20 + 16).
     *
     * @param binary oom-alloc's path as the launched processes see it
     */
    public static NeighbourKill start(Function<List<String>, Process> launcher, String binary) throws IOException {
        return start(launcher, binary, List.of(binary, "-t", "16", "-H", "2"));
    }

    /**
     * The same with another trigger: trigger must allocate 16 MiB, then live on for a moment and
     * exit 0.
     */
    public static NeighbourKill start(Function<List<String>, Process> launcher, String binary, List<String> trigger)
            throws IOException {
        // oom_score_adj 1000: certain to be chosen first, whatever the processes' sizes when the
        // limit is hit. Set from inside, before the exec: raising it needs no privilege.
        Process hog = launcher.apply(List.of("sh", "-c", "echo 1000 >/proc/self/oom_score_adj && exec \"$0\" -t 20 -H 60",
                binary));
        ProcessOutput.await(hog, "holding it");
        // The kernel hides the dying victim from the OOM killer (MMF_OOM_SKIP, set in exit_mmap)
        // a moment before its last pages are uncharged; a trigger still retrying its charge in that
        // window gets a second kill, and would be its victim if it were the only one left (seen in
        // CI). This bystander, next in line, takes that kill instead: the trigger lives on.
        Process bystander = launcher.apply(List.of("sh", "-c",
                "echo 999 >/proc/self/oom_score_adj && echo in the cgroup && exec sleep 60"));
        ProcessOutput.await(bystander, "in the cgroup");
        return new NeighbourKill(hog, launcher.apply(trigger));
    }
}
