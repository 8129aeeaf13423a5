package io.nodescope.module.oom;

import io.nodescope.proc.WorkloadIdentity;


import java.util.Objects;
import java.util.Optional;

/**
 * An OOM kill with the names of what the kernel identified by number, where they could be read,
 * and the victim's workload (container, pod): the span's Resource.
 */
public record EnrichedOomKill(OomKill kill, Optional<String> victimCgroupPath,
                              Optional<String> constrainingCgroupPath, Optional<String> triggerCgroupPath,
                              Optional<String> victimExecutablePath, Optional<String> triggerExecutablePath,
                              WorkloadIdentity victimWorkload) {
    public EnrichedOomKill {
        Objects.requireNonNull(kill, "kill");
        Objects.requireNonNull(victimCgroupPath, "victimCgroupPath");
        Objects.requireNonNull(constrainingCgroupPath, "constrainingCgroupPath");
        Objects.requireNonNull(triggerCgroupPath, "triggerCgroupPath");
        Objects.requireNonNull(victimExecutablePath, "victimExecutablePath");
        Objects.requireNonNull(triggerExecutablePath, "triggerExecutablePath");
        Objects.requireNonNull(victimWorkload, "victimWorkload");
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
