package io.nodescope.module.oom;

import io.nodescope.module.oom.incident.MemcgSample;
import io.nodescope.proc.WorkloadIdentity;


import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An OOM kill with the names of what the kernel identified by number, where they could be read,
 * the victim's workload (container, pod): the span's Resource, and the history of the memcg the
 * kill was for: empty where nothing sampled it (replays, the sampler off), else its samples
 * before the kill (possibly none).
 */
public record EnrichedOomKill(OomKill kill, Optional<String> victimCgroupPath,
                              Optional<String> constrainingCgroupPath, Optional<String> triggerCgroupPath,
                              Optional<String> victimExecutablePath, Optional<String> triggerExecutablePath,
                              WorkloadIdentity victimWorkload, Optional<List<MemcgSample>> memcgHistory) {
    public EnrichedOomKill {
        Objects.requireNonNull(memcgHistory, "memcgHistory");
        Objects.requireNonNull(kill, "kill");
        Objects.requireNonNull(victimCgroupPath, "victimCgroupPath");
        Objects.requireNonNull(constrainingCgroupPath, "constrainingCgroupPath");
        Objects.requireNonNull(triggerCgroupPath, "triggerCgroupPath");
        Objects.requireNonNull(victimExecutablePath, "victimExecutablePath");
        Objects.requireNonNull(triggerExecutablePath, "triggerExecutablePath");
        Objects.requireNonNull(victimWorkload, "victimWorkload");
    }

    /** Nothing sampled the memcg's history. */
    public EnrichedOomKill(OomKill kill, Optional<String> victimCgroupPath, Optional<String> constrainingCgroupPath,
                           Optional<String> triggerCgroupPath, Optional<String> victimExecutablePath,
                           Optional<String> triggerExecutablePath, WorkloadIdentity victimWorkload) {
        this(kill, victimCgroupPath, constrainingCgroupPath, triggerCgroupPath, victimExecutablePath,
                triggerExecutablePath, victimWorkload, Optional.empty());
    }

    public EnrichedOomKill withMemcgHistory(List<MemcgSample> history) {
        return new EnrichedOomKill(kill, victimCgroupPath, constrainingCgroupPath, triggerCgroupPath,
                victimExecutablePath, triggerExecutablePath, victimWorkload, Optional.of(List.copyOf(history)));
    }

    /** Without a resolved workload: the victim's cgroup path is all that identifies it. */
    public EnrichedOomKill(OomKill kill, Optional<String> victimCgroupPath, Optional<String> constrainingCgroupPath,
                           Optional<String> triggerCgroupPath, Optional<String> victimExecutablePath,
                           Optional<String> triggerExecutablePath) {
        this(kill, victimCgroupPath, constrainingCgroupPath, triggerCgroupPath, victimExecutablePath,
                triggerExecutablePath, WorkloadIdentity.builder().cgroupPath(victimCgroupPath).build());
    }

    /** For replays and tests: nothing could be resolved. */
    public static EnrichedOomKill unresolved(OomKill kill) {
        return new EnrichedOomKill(kill, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }
}
