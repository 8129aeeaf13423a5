package io.nodescope.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kill on a busy node: one process allocates (the trigger), the OOM killer picks another,
 * bigger one (the victim, "the hog"). The trigger lives on, so its user stack is named from its
 * own live process. The processes belong to the cgroup, which kills what is left when closed.
 */
public record NeighbourKill(Process hog, Process trigger) {
    /** Starts hog, bystander and trigger in the cgroup, whose limit must be under 36 MiB (20 + 16). */
    public static NeighbourKill start(MemoryCgroup cgroup) throws IOException {
        String binary = OomAllocBinary.path().toString();
        Process hog = cgroup.start(List.of(binary, "-t", "20", "-H", "60"));
        awaitOutput(hog, "holding it");
        // Certain to be chosen first, whatever the processes' sizes when the limit is hit.
        Files.writeString(Path.of("/proc/" + hog.pid() + "/oom_score_adj"), "1000");
        // The kernel hides the dying victim from the OOM killer (MMF_OOM_SKIP, set in exit_mmap)
        // a moment before its last pages are uncharged; a trigger still retrying its charge in that
        // window gets a second kill, and would be its victim if it were the only one left (seen in
        // CI). This bystander, next in line, takes that kill instead: the trigger lives on.
        Process bystander = cgroup.start(List.of("sh", "-c", "echo in the cgroup && exec sleep 60"));
        awaitOutput(bystander, "in the cgroup");
        Files.writeString(Path.of("/proc/" + bystander.pid() + "/oom_score_adj"), "999");
        Process trigger = cgroup.start(List.of(binary, "-t", "16", "-H", "2"));
        return new NeighbourKill(hog, trigger);
    }

    private static void awaitOutput(Process process, String text) throws IOException {
        var reader = process.inputReader(StandardCharsets.UTF_8);
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.contains(text)) {
                return;
            }
        }
        throw new AssertionError("process ended before printing '" + text + "'");
    }
}
