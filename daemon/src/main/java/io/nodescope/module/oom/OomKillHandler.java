package io.nodescope.module.oom;

import io.nodescope.event.NodeEvent;
import io.nodescope.module.ModuleHandler;
import io.nodescope.module.exit.ProcessExit;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Kills from this module's ring and deaths from the process exit module's meet here: arrival work
 * on the ring threads, pairing in the assembler, reports on the module's worker.
 */
final class OomKillHandler implements ModuleHandler {
    private static final System.Logger LOG = System.getLogger("nodescope.oom");

    private final OomKillAssembler assembler;
    private final Function<OomKill, PendingOomKill> arrival;
    private final OomKillReporter reporter;
    private Optional<ScheduledFuture<?>> expiry = Optional.empty();
    private Optional<ScheduledFuture<?>> periodic = Optional.empty();

    OomKillHandler(OomKillAssembler assembler, Function<OomKill, PendingOomKill> arrival,
                   OomKillReporter reporter) {
        this.assembler = assembler;
        this.arrival = arrival;
        this.reporter = reporter;
    }

    /** Live runs: kills whose victim's death does not come in time are reported without it. */
    void expireEvery(ScheduledExecutorService timer, long periodMillis) {
        expiry = Optional.of(timer.scheduleAtFixedRate(this::expire, periodMillis, periodMillis,
                TimeUnit.MILLISECONDS));
    }

    /** Live runs: the memcg sampler, stopped with the handler. */
    void runEvery(ScheduledExecutorService timer, Runnable task, long periodMillis) {
        periodic = Optional.of(timer.scheduleAtFixedRate(task, 0, periodMillis, TimeUnit.MILLISECONDS));
    }

    private void expire() {
        try {
            assembler.expire();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule: log it and keep expiring.
            LOG.log(System.Logger.Level.ERROR, "reporting an OOM kill failed", e);
        }
    }

    @Override
    public void onEvent(NodeEvent event) {
        switch (event) {
            case OomKill kill -> assembler.onOomKill(arrival.apply(kill));
            case ProcessExit exit -> assembler.onProcessExit(exit);
            default -> { }
        }
    }

    @Override
    public void finish(Duration timeout) {
        expiry.ifPresent(task -> task.cancel(false));
        periodic.ifPresent(task -> task.cancel(false));
        assembler.flush();
        reporter.finish(timeout);
    }
}
