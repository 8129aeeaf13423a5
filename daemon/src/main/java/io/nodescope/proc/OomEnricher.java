package io.nodescope.proc;

import io.nodescope.event.MemcgState;
import io.nodescope.event.OomKill;
import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;

import java.util.Optional;

/**
 * Adds what the kernel event names only by number: the cgroup paths of the memcg ids and the
 * executables of the victim and the trigger. Must run when the event arrives, while the victim
 * still exists (it dies within milliseconds of mark_victim).
 */
public final class OomEnricher {
    private final MemcgPaths memcgPaths;
    private final ProcessFiles processFiles;
    private final Counter unresolvedMemcgs;

    public OomEnricher(MemcgPaths memcgPaths, ProcessFiles processFiles, MetricsRegistry metrics) {
        this.memcgPaths = memcgPaths;
        this.processFiles = processFiles;
        this.unresolvedMemcgs = metrics.counter("nodescope_enrich_misses_total",
                "Lookups that found nothing (cgroup gone, not mounted)", "lookup", "memcg_path");
    }

    public EnrichedOomKill enrich(OomKill kill) {
        return new EnrichedOomKill(kill,
                path(kill.victimMemcg().map(MemcgState::id).orElse(kill.victim().memcgId())),
                kill.constrainingMemcg().flatMap(memcg -> path(memcg.id())),
                path(kill.trigger().memcgId()),
                processFiles.executablePath(kill.victim().tgid()),
                processFiles.executablePath(kill.trigger().tgid()));
    }

    private Optional<String> path(long memcgId) {
        if (memcgId == 0) {
            return Optional.empty();
        }
        Optional<String> path = memcgPaths.pathOf(memcgId);
        if (path.isEmpty()) {
            unresolvedMemcgs.increment();
        }
        return path;
    }
}
