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
import io.nodescope.module.oom.incident.MemcgHistory;
import io.nodescope.module.oom.incident.MemcgSampler;
import io.nodescope.proc.LiveBootClock;
import io.nodescope.record.EventCodec;
import io.nodescope.symbol.CapturedStacks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    static final String HISTORY_WINDOW = "oom-history-window";
    static final String HISTORY_INTERVAL = "oom-history-interval";
    static final String HISTORY_DENSE_INTERVAL = "oom-history-dense-interval";
    static final String HISTORY_DISCOVERY_INTERVAL = "oom-history-discovery-interval";
    static final String HISTORY_MAX_SAMPLES = "oom-history-max-samples";
    static final String HISTORY_MAX_CGROUPS = "oom-history-max-cgroups";
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
                        SettingSpec.Kind.COUNT, "1024"),
                new SettingSpec(HISTORY_WINDOW, "DURATION  keep this much history of every memory cgroup with a "
                        + "limit, to explain its OOM kills; 0s turns the sampler off (default 5m)",
                        SettingSpec.Kind.DURATION, "5m"),
                new SettingSpec(HISTORY_INTERVAL, "DURATION  sample each limited memory cgroup this often "
                        + "(default 10s)", SettingSpec.Kind.DURATION, "10s"),
                new SettingSpec(HISTORY_DISCOVERY_INTERVAL, "DURATION  look for new limited memory cgroups this "
                        + "often: a walk of the whole hierarchy (default 30s)", SettingSpec.Kind.DURATION, "30s"),
                new SettingSpec(HISTORY_DENSE_INTERVAL, "DURATION  this often instead while at 80% of its limit or "
                        + "more, or at 50% while the node stalls on memory (default 1s)", SettingSpec.Kind.DURATION, "1s"),
                new SettingSpec(HISTORY_MAX_SAMPLES, "N  samples kept over all cgroups, about "
                        + MemcgHistory.SAMPLE_BYTES + " bytes each; past it the least recently sampled cgroup's "
                        + "history goes (default 150000)", SettingSpec.Kind.COUNT, "150000"),
                new SettingSpec(HISTORY_MAX_CGROUPS, "N  limited memory cgroups sampled at most (default 4096)",
                        SettingSpec.Kind.COUNT, "4096"));
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
        Optional<MemcgHistory> history = services.live().flatMap(live -> memcgHistory(services.settings(), live));
        Function<OomKill, PendingOomKill> arrival = services.live()
                .<Function<OomKill, PendingOomKill>>map(live -> new OomKillArrival(live.stacks(),
                        new OomEnricher(live.memcgPaths(), live.processFiles(), live.workloads(), services.metrics()),
                        history))
                // A replay: the recording's /proc, cgroups and binaries are not this machine's.
                .orElse(kill -> new PendingOomKill(EnrichedOomKill.unresolved(kill), CapturedStacks.NONE));
        OomKillHandler handler = new OomKillHandler(assembler, arrival, reporter);
        services.live().ifPresent(live -> handler.expireEvery(live.timer(), EXPIRE_PERIOD_MILLIS));
        history.ifPresent(kept -> {
            LiveNode live = services.live().orElseThrow();
            Duration dense = services.settings().duration(HISTORY_DENSE_INTERVAL);
            handler.runEvery(live.timer(), new MemcgSampler(live.memcgPaths().hierarchy().orElseThrow(),
                    live.memcgPaths().isUnified(), kept, services.settings().duration(HISTORY_INTERVAL), dense,
                    services.settings().duration(HISTORY_DISCOVERY_INTERVAL), services.settings().duration(HISTORY_WINDOW),
                    (int) Math.min(Integer.MAX_VALUE, services.settings().count(HISTORY_MAX_CGROUPS)),
                    LiveBootClock::bootTimeNanosNow), dense.toMillis());
        });
        return handler;
    }

    /** Empty when the sampler is off or there is no memory hierarchy to sample. */
    private static Optional<MemcgHistory> memcgHistory(ModuleSettings settings, LiveNode live) {
        Duration window = settings.duration(HISTORY_WINDOW);
        long maxSamples = settings.count(HISTORY_MAX_SAMPLES);
        if (window.isZero() || maxSamples == 0 || live.memcgPaths().hierarchy().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new MemcgHistory(window.toNanos(), (int) Math.min(Integer.MAX_VALUE, maxSamples)));
    }
}
