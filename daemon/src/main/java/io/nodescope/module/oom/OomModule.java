package io.nodescope.module.oom;

import io.nodescope.bpf.KernelProbe;
import io.nodescope.config.ModuleSettings;
import io.nodescope.config.SettingSpec;
import io.nodescope.decode.RecordFormat;
import io.nodescope.event.ProbeSource;
import io.nodescope.module.LiveNode;
import io.nodescope.module.ModuleHandler;
import io.nodescope.module.ModuleServices;
import io.nodescope.module.ProbeModule;
import io.nodescope.module.ReportWorker;
import io.nodescope.record.EventCodec;
import io.nodescope.symbol.CapturedStacks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * OOM kills (bpf/oom.bpf.c): one span "oom.kill" per kill, with the victim's death (the exit-137
 * moment, from the process exit module's events), its memory cgroup, the trigger's stacks and the
 * workload's identity. Its ring is used by nothing else: a kill must not be lost.
 */
public final class OomModule implements ProbeModule {
    public static final String NAME = "oom";
    static final String EXIT_WAIT = "oom-exit-wait";
    static final String NEAR_LIMIT_PAGES = "oom-near-limit-pages";
    static final KernelProbe.Ring RING = new KernelProbe.Ring("oom_events", 0);
    /** How often pending kills are checked for an overdue victim death. */
    private static final long EXPIRE_PERIOD_MILLIS = 100;
    /** Kills waiting to be symbolized: far above any real OOM rate, small enough to bound memory. */
    private static final int MAX_WAITING_REPORTS = 1024;

    /** Best first: tp_btf needs no tracefs and reads the victim's task_struct (its memcg). */
    static final KernelProbe.AttachGroup KILLS = new KernelProbe.AttachGroup("OOM kills", true, List.of(
            KernelProbe.Attachment.of(ProbeSource.TP_BTF, "oom_mark_victim_btf"),
            KernelProbe.Attachment.of(ProbeSource.TRACEPOINT, "oom_mark_victim_tp")));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "OOM kills: victim, memory cgroup at its limit, the allocating task's stacks";
    }

    @Override
    public List<SettingSpec> settings() {
        return List.of(
                new SettingSpec(EXIT_WAIT, "DURATION  wait this long for an OOM victim's death before reporting "
                        + "(default 1s)", SettingSpec.Kind.DURATION, "1s"),
                new SettingSpec(NEAR_LIMIT_PAGES, "PAGES  a memcg with fewer pages than this left below its limit "
                        + "counts as the one the kill was for (default 1024: charges come in batches)",
                        SettingSpec.Kind.COUNT, "1024"));
    }

    @Override
    public KernelProbe kernelProbe(ModuleSettings settings) {
        return new KernelProbe("oom.bpf.o", Map.of("near_limit_pages", settings.count(NEAR_LIMIT_PAGES)),
                List.of(RING), List.of(KILLS));
    }

    @Override
    public List<RecordFormat> recordFormats() {
        return List.of(OomKillFormat.FORMAT);
    }

    @Override
    public List<EventCodec<?>> eventCodecs() {
        return List.of(new OomKillCodec());
    }

    @Override
    public ModuleHandler start(ModuleServices services) {
        OomKillReporter reporter = new OomKillReporter(new OomKillSpanMapper(services.spans()),
                services.live().map(LiveNode::stacks), services.outputs(),
                new ReportWorker(NAME, MAX_WAITING_REPORTS, services.metrics()));
        Duration exitWait = services.settings().duration(EXIT_WAIT);
        OomKillAssembler assembler = new OomKillAssembler(reporter, exitWait.toNanos(), System::nanoTime);
        Function<OomKill, PendingOomKill> arrival = services.live()
                .<Function<OomKill, PendingOomKill>>map(live -> new OomKillArrival(live.stacks(),
                        new OomEnricher(live.memcgPaths(), live.processFiles(), live.workloads(), services.metrics())))
                // A replay: the recording's /proc, cgroups and binaries are not this machine's.
                .orElse(kill -> new PendingOomKill(EnrichedOomKill.unresolved(kill), CapturedStacks.NONE));
        OomKillHandler handler = new OomKillHandler(assembler, arrival, reporter);
        services.live().ifPresent(live -> handler.expireEvery(live.timer(), EXPIRE_PERIOD_MILLIS));
        return handler;
    }
}
