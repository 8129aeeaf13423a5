package io.nodescope.daemon;

import io.nodescope.event.ProcessExit;
import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.span.OomKillAssembler;
import io.nodescope.span.OomKillSpanMapper;
import io.nodescope.span.PendingOomKill;
import io.nodescope.symbol.OomStackSymbolizer;
import io.nodescope.symbol.TriggerStacks;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Symbolize and span stages for OOM kills, on their own thread: naming stacks can index a large
 * library for tens of milliseconds the first time, and the ring thread that completes a kill must
 * not wait for that. Bounded; what does not fit is dropped and counted.
 */
final class OomKillReporter implements OomKillAssembler.Reporter {
    private static final System.Logger LOG = System.getLogger("nodescope.daemon");
    /** Kills waiting to be symbolized: far above any real OOM rate, small enough to bound memory. */
    private static final int MAX_WAITING = 1024;

    private final OomKillSpanMapper mapper;
    private final Optional<OomStackSymbolizer> stacks;
    private final Consumer<SpanData> outputs;
    private final Counter dropped;
    private final ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING), Thread.ofPlatform().daemon().name("nodescope-oom-spans").factory());

    /** @param stacks empty when nothing can name the stacks (replays): frames keep bare addresses */
    OomKillReporter(OomKillSpanMapper mapper, Optional<OomStackSymbolizer> stacks, Consumer<SpanData> outputs,
                    MetricsRegistry metrics) {
        this.mapper = mapper;
        this.stacks = stacks;
        this.outputs = outputs;
        this.dropped = metrics.counter("nodescope_oom_reports_dropped_total",
                "OOM kills not reported because too many were waiting to be symbolized");
    }

    @Override
    public void report(PendingOomKill kill, Optional<ProcessExit> victimExit) {
        try {
            worker.execute(() -> outputs.accept(mapper.toSpan(kill.enriched(), victimExit, name(kill))));
        } catch (RejectedExecutionException e) {
            kill.stacks().close();
            dropped.increment();
        }
    }

    private TriggerStacks name(PendingOomKill kill) {
        try {
            return stacks.map(symbolizer -> symbolizer.symbolize(kill.enriched().kill(), kill.stacks()))
                    .orElseGet(() -> TriggerStacks.unresolved(kill.enriched().kill()));
        } catch (RuntimeException e) {
            // A symbolizer bug costs the names, never the report.
            LOG.log(System.Logger.Level.WARNING, "symbolizing an OOM kill's stacks failed", e);
            kill.stacks().close();
            return TriggerStacks.unresolved(kill.enriched().kill());
        }
    }

    /** Finishes what was handed over, waiting at most timeout. */
    void finish(Duration timeout) {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "{0} OOM kills not reported before shutdown",
                        worker.getQueue().size());
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
