package io.nodescope.module.oom;

import io.nodescope.module.ReportWorker;
import io.nodescope.module.exit.ProcessExit;
import io.nodescope.symbol.NamedStacks;
import io.nodescope.symbol.StackSymbolizer;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/** Symbolize and span stages for OOM kills, on the module's report worker. */
final class OomKillReporter implements OomKillAssembler.Reporter {
    private static final System.Logger LOG = System.getLogger("nodescope.oom");

    private final OomKillSpanMapper mapper;
    private final Optional<StackSymbolizer> stacks;
    private final Consumer<SpanData> outputs;
    private final ReportWorker worker;

    /** @param stacks empty when nothing can name the stacks (replays): frames keep bare addresses */
    OomKillReporter(OomKillSpanMapper mapper, Optional<StackSymbolizer> stacks, Consumer<SpanData> outputs,
                    ReportWorker worker) {
        this.mapper = mapper;
        this.stacks = stacks;
        this.outputs = outputs;
        this.worker = worker;
    }

    @Override
    public void report(PendingOomKill kill, Optional<ProcessExit> victimExit) {
        if (!worker.submit(() -> outputs.accept(mapper.toSpan(kill.enriched(), victimExit, name(kill))))) {
            kill.stacks().close();
        }
    }

    private NamedStacks name(PendingOomKill kill) {
        OomKill oomKill = kill.enriched().kill();
        NamedStacks unresolved = NamedStacks.unresolved(oomKill.triggerKernelStack(), oomKill.triggerUserStack());
        try {
            return stacks.map(symbolizer -> symbolizer.symbolize(kill.stacks(), oomKill.triggerKernelStack(),
                    oomKill.triggerUserStack())).orElse(unresolved);
        } catch (RuntimeException e) {
            // A symbolizer bug costs the names, never the report.
            LOG.log(System.Logger.Level.WARNING, "symbolizing an OOM kill's stacks failed", e);
            kill.stacks().close();
            return unresolved;
        }
    }

    /** Finishes what was handed over, waiting at most timeout. */
    void finish(Duration timeout) {
        worker.finish(timeout);
    }
}
