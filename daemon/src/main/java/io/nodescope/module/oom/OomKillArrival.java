package io.nodescope.module.oom;

import io.nodescope.module.oom.incident.MemcgHistory;
import io.nodescope.proc.LiveBootClock;
import io.nodescope.symbol.CapturedStacks;
import io.nodescope.symbol.StackSymbolizer;

import java.util.Optional;
import java.util.function.Function;

/**
 * What must be read the moment an OOM kill arrives, in the order the exit race dictates: the
 * trigger is often the victim, dead milliseconds after the event, and its mappings go with it, so
 * they are captured first; the cgroup paths and the workload (whose directories outlive the
 * process, and whose victim path the kernel already read) after.
 */
final class OomKillArrival implements Function<OomKill, PendingOomKill> {
    private static final System.Logger LOG = System.getLogger("nodescope.oom");

    private final StackSymbolizer stacks;
    private final OomEnricher enricher;
    private final Optional<MemcgHistory> histories;

    /** @param histories empty when the memcg sampler is off */
    OomKillArrival(StackSymbolizer stacks, OomEnricher enricher, Optional<MemcgHistory> histories) {
        this.stacks = stacks;
        this.enricher = enricher;
        this.histories = histories;
    }

    @Override
    public PendingOomKill apply(OomKill kill) {
        long arrived = LiveBootClock.bootTimeNanosNow();
        CapturedStacks captured = stacks.capture(kill.trigger().tgid(), kill.triggerUserStack(),
                kill.triggerUserFrameFiles(), kill.triggerUserState(), kill.triggerStackMappings());
        long stacksCaptured = LiveBootClock.bootTimeNanosNow();
        // Taken now: the sampler forgets a removed cgroup's history once it is past the window.
        EnrichedOomKill enriched = histories.map(history -> enricher.enrich(kill)
                .withMemcgHistory(history.window(OomIncidentParts.killedForMemcgId(kill), kill.bootTimeNanos())))
                .orElseGet(() -> enricher.enrich(kill));
        // How close to the exit race each step ran: what to look at when user frames come out bare.
        LOG.log(System.Logger.Level.DEBUG, "OOM kill of pid {0}: arrived {1} us after the kill, stacks captured "
                        + "after {2} us, enriched after {3} us", kill.victim().tgid(), micros(arrived, kill),
                micros(stacksCaptured, kill), micros(LiveBootClock.bootTimeNanosNow(), kill));
        return new PendingOomKill(enriched, captured);
    }

    private static long micros(long bootNanos, OomKill kill) {
        return (bootNanos - kill.bootTimeNanos()) / 1000;
    }
}
