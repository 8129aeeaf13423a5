package io.nodescope.module.oom;

import io.nodescope.proc.MemcgPaths;
import io.nodescope.proc.ProcessFiles;
import io.nodescope.proc.WorkloadIdentityResolver;

import io.nodescope.event.CgroupPath;
import io.nodescope.event.MemcgState;
import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;

import java.util.Optional;

/**
 * Adds what the kernel event names only by number: the cgroup paths of the memcg ids and the
 * executables of the victim and the trigger. Must run when the event arrives, while the victim
 * still exists (it dies within milliseconds of mark_victim).
 */
public final class OomEnricher {
    private static final int NO_PID = 0;
    private final MemcgPaths memcgPaths;
    private final ProcessFiles processFiles;
    private final Counter unresolvedMemcgs;
    private final WorkloadIdentityResolver workloads;

    public OomEnricher(MemcgPaths memcgPaths, ProcessFiles processFiles, WorkloadIdentityResolver workloads,
                       MetricsRegistry metrics) {
        this.memcgPaths = memcgPaths;
        this.processFiles = processFiles;
        this.workloads = workloads;
        this.unresolvedMemcgs = metrics.counter("nodescope_enrich_misses_total",
                "Lookups that found nothing (cgroup gone, not mounted)", "lookup", "memcg_path");
    }

    /** The victim's identity, not the killer's: at mark_victim, current is often another process. */
    public EnrichedOomKill enrich(OomKill kill) {
        Optional<String> victimPath = victimPath(kill);
        return new EnrichedOomKill(kill,
                victimPath,
                kill.constrainingMemcg().flatMap(memcg -> inVictimsPath(kill, memcg.id())
                        .or(() -> path(memcg.id(), NO_PID))),
                inVictimsPath(kill, kill.trigger().memcgId()).or(() -> path(kill.trigger().memcgId(),
                        kill.trigger().tgid())),
                processFiles.executablePath(kill.victim().tgid()),
                processFiles.executablePath(kill.trigger().tgid()),
                workloads.resolve(victimPath, kill.victim().tgid(), Optional.of(kill.victim().comm())));
    }

    /** The kernel read it at the kill; the lookups are for probes that could not. */
    private Optional<String> victimPath(OomKill kill) {
        return kill.victimCgroupPath().map(CgroupPath::path).or(() -> path(
                kill.victimMemcg().map(MemcgState::id).orElse(kill.victim().memcgId()), kill.victim().tgid()));
    }

    /**
     * The victim's kernel-read path names its ancestors' ids too: the limit that was hit is most
     * often one of them (a pod's), and the trigger often shares the victim's cgroup.
     */
    private static Optional<String> inVictimsPath(OomKill kill, long memcgId) {
        return kill.victimCgroupPath().flatMap(path -> {
            int level = path.idsInnermostFirst().indexOf(memcgId);
            return level < 0 ? Optional.empty() : Optional.of(new CgroupPath(
                    path.namesInnermostFirst().subList(level, path.namesInnermostFirst().size()),
                    path.idsInnermostFirst().subList(level, path.idsInnermostFirst().size()),
                    path.truncated()).path());
        });
    }

    /**
     * Cheapest first, because the victim and its cgroup may be gone within milliseconds: the index,
     * then the process's own /proc entry (checked against the id), then a walk of the hierarchy.
     */
    private Optional<String> path(long memcgId, int pid) {
        Optional<String> path = memcgId == 0 ? Optional.empty() : memcgPaths.indexedPathOf(memcgId);
        if (path.isEmpty() && pid != NO_PID && memcgId != 0) {
            // Only if it names the same directory: an exiting task's /proc/PID/cgroup already
            // reads "/" (cgroup_exit moved it to the root css_set).
            path = processFiles.memoryCgroupPath(pid, memcgPaths.isUnified())
                    .filter(candidate -> memcgPaths.isDirectoryOf(candidate, memcgId));
        }
        if (path.isEmpty() && memcgId != 0) {
            path = memcgPaths.pathOf(memcgId);
        }
        if (path.isEmpty()) {
            unresolvedMemcgs.increment();
        }
        return path;
    }
}
