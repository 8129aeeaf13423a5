package io.nodescope.proc;

import io.nodescope.event.OomKill;

import java.util.Objects;
import java.util.Optional;

/** An OOM kill with the names of what the kernel identified by number, where they could be read. */
public record EnrichedOomKill(OomKill kill, Optional<String> victimCgroupPath,
                              Optional<String> constrainingCgroupPath, Optional<String> triggerCgroupPath,
                              Optional<String> victimExecutablePath, Optional<String> triggerExecutablePath) {
    public EnrichedOomKill {
        Objects.requireNonNull(kill, "kill");
        Objects.requireNonNull(victimCgroupPath, "victimCgroupPath");
        Objects.requireNonNull(constrainingCgroupPath, "constrainingCgroupPath");
        Objects.requireNonNull(triggerCgroupPath, "triggerCgroupPath");
        Objects.requireNonNull(victimExecutablePath, "victimExecutablePath");
        Objects.requireNonNull(triggerExecutablePath, "triggerExecutablePath");
    }

    /** For replays and tests: nothing could be resolved. */
    public static EnrichedOomKill unresolved(OomKill kill) {
        return new EnrichedOomKill(kill, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }
}
