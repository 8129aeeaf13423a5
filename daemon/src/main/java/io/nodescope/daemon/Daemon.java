package io.nodescope.daemon;

import io.nodescope.bpf.BpfSetupException;
import io.nodescope.bpf.KernelPreflight;
import io.nodescope.config.NodescopeConfig;
import io.nodescope.decode.EventDecoder;
import io.nodescope.decode.PageSize;
import io.nodescope.event.BootClock;
import io.nodescope.event.NodeEvent;
import io.nodescope.export.ExportSetup;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.module.LiveNode;
import io.nodescope.module.ModuleHandler;
import io.nodescope.module.ModuleServices;
import io.nodescope.module.ProbeModule;
import io.nodescope.proc.IdentitySettings;
import io.nodescope.proc.LiveBootClock;
import io.nodescope.proc.MemcgPaths;
import io.nodescope.proc.ProcessFiles;
import io.nodescope.proc.WorkloadIdentityResolver;
import io.nodescope.record.EventCodecs;
import io.nodescope.record.EventRecorder;
import io.nodescope.record.EventReplay;
import io.nodescope.record.RecordingOrigin;
import io.nodescope.server.HttpServer;
import io.nodescope.span.SpanFactory;
import io.nodescope.span.WorkloadResources;
import io.nodescope.symbol.StackSymbolizer;
import io.nodescope.symbol.Symbolizer;
import io.opentelemetry.sdk.resources.Resource;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static io.opentelemetry.api.common.AttributeKey.stringKey;

/**
 * A running nodescope: outputs, the enabled probe modules, their event sources and the HTTP
 * server, started in the order that lets each see the next ready, and stopped in the reverse
 * order so nothing in flight is lost: detach the probes, drain the rings, let every module report
 * what is pending, flush the exports.
 */
public final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("nodescope.daemon");

    private final NodescopeConfig config;
    private final SpanOutputs outputs;
    private final Optional<EventRecorder> recorder;
    private final MetricsRegistry metrics;
    private final List<ModuleHandler> handlers = new ArrayList<>();
    private final List<KernelEventSource> sources = new ArrayList<>();
    /** 1 = the module's programs are attached, 0 = it could not attach; absent until tried. */
    private final Map<String, Integer> probeUp = new ConcurrentHashMap<>();
    /** Per module, in attach order: how it attached, or that it did not (the ready line). */
    private final Map<String, String> moduleStatus = new LinkedHashMap<>();
    private Optional<ScheduledExecutorService> timer = Optional.empty();
    private Optional<HttpServer> server = Optional.empty();
    private Optional<WorkloadIdentityResolver> workloads = Optional.empty();
    private volatile boolean ready;

    private Daemon(NodescopeConfig config, SpanOutputs outputs, Optional<EventRecorder> recorder,
                   MetricsRegistry metrics) {
        this.config = config;
        this.metrics = metrics;
        this.outputs = outputs;
        this.recorder = recorder;
    }

    /** Attaches every module of ProbeModules.all() that --probes enables, and runs until {@link #close()}. */
    public static Daemon startLive(NodescopeConfig config, ExportSetup export, IdentitySettings identity,
                                   PrintStream consoleStream) throws BpfSetupException, IOException {
        return startLive(config, export, identity, consoleStream, ProbeModules.all());
    }

    /**
     * Runs the given modules (those --probes enables). A module that cannot attach is logged and
     * shown as nodescope_probe_up 0 while the others run; only when none attaches does the start
     * fail, with the first module's error.
     */
    public static Daemon startLive(NodescopeConfig config, ExportSetup export, IdentitySettings identity,
                                   PrintStream consoleStream, List<ProbeModule> modules)
            throws BpfSetupException, IOException {
        KernelPreflight.forThisProcess().check();
        List<ProbeModule> enabled = enabled(config, modules);
        MetricsRegistry metrics = export.metrics();
        BootClock clock = new LiveBootClock();
        SpanOutputs outputs = outputs(config, export, consoleStream, metrics);
        StackSymbolizer stacks = new StackSymbolizer(Symbolizer.create(config.procRoot(), metrics));
        Optional<EventRecorder> recorder = Optional.empty();
        if (config.recordFile().isPresent()) {
            RecordingOrigin origin = RecordingOrigin.ofThisNode(clock);
            recorder = Optional.of(EventRecorder.create(config.recordFile().get(), ProbeModules.codecs(modules),
                    origin.hostname(), origin.kernelRelease(), origin.bootToWallOffsetNanos()));
        }
        Daemon daemon = new Daemon(config, outputs, recorder, metrics);
        try {
            if (config.httpAddress().isPresent()) {
                daemon.server = Optional.of(HttpServer.start(config.httpAddress().get(), metrics, daemon::notReady));
            }
            for (ProbeModule module : enabled) {
                metrics.gauge("nodescope_probe_up", "1 when the probe module's BPF programs are attached, "
                        + "0 when it could not attach", () -> daemon.probeUp.getOrDefault(module.name(), 0),
                        "probe", module.name());
            }
            MemcgPaths memcgPaths = MemcgPaths.discover(config.cgroupRoot());
            ProcessFiles processFiles = new ProcessFiles(config.procRoot());
            daemon.workloads = Optional.of(WorkloadIdentityResolver.start(memcgPaths, processFiles, identity, metrics));
            stacks.warmUp();
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("nodescope-module-timer").factory());
            daemon.timer = Optional.of(timer);
            LiveNode live = new LiveNode(stacks, memcgPaths, processFiles, daemon.workloads.get(), timer);
            daemon.startHandlers(enabled, metrics, new SpanFactory(clock, new WorkloadResources(export.nodeResource())),
                    Optional.of(live));
            daemon.attach(enabled, new EventDecoder(PageSize.ofThisKernel(), metrics, ProbeModules.formats(enabled)),
                    new EventPipeline(recorder, daemon.handlers), metrics);
        } catch (BpfSetupException | IOException | RuntimeException e) {
            daemon.close();
            throw e;
        }
        // Start-up's garbage (the kallsyms text and its lines, libc's index build) outlives the young
        // collections of its parse and sits in the old generation, which the serial collector
        // (deploy/jvm.options) collects only when it fills: one full collection now, while nothing
        // waits, lets the heap shrink to what the idle daemon holds (about a third of it).
        System.gc();
        daemon.ready = true;
        LOG.log(System.Logger.Level.INFO, "nodescope ready: {0} of {1} probe modules attached ({2}); spans to {3}{4}",
                daemon.sources.size(), enabled.size(), String.join("; ", daemon.moduleStatus.values()),
                outputs.describe(), daemon.server.map(s -> "; /metrics on http://" + hostPort(s)).orElse(""));
        return daemon;
    }

    private static List<ProbeModule> enabled(NodescopeConfig config, List<ProbeModule> modules) {
        return modules.stream().filter(module -> config.probes().contains(module.name())).toList();
    }

    private void startHandlers(List<ProbeModule> enabled, MetricsRegistry metrics, SpanFactory spans,
                               Optional<LiveNode> live) {
        for (ProbeModule module : enabled) {
            handlers.add(module.start(new ModuleServices(config.moduleSettings(), metrics, spans, outputs, live)));
        }
    }

    /** Each module on its own: one that cannot attach leaves the others running. */
    private void attach(List<ProbeModule> enabled, EventDecoder decoder, EventPipeline pipeline,
                        MetricsRegistry metrics) throws BpfSetupException, IOException {
        Map<String, Exception> failures = new LinkedHashMap<>();
        for (ProbeModule module : enabled) {
            try {
                KernelEventSource source = KernelEventSource.start(module, config.moduleSettings(), decoder, pipeline,
                        metrics);
                sources.add(source);
                probeUp.put(module.name(), 1);
                moduleStatus.put(module.name(), module.name() + ": " + source.describeAttachments());
            } catch (BpfSetupException | IOException e) {
                probeUp.put(module.name(), 0);
                moduleStatus.put(module.name(), module.name() + ": NOT RUNNING");
                failures.put(module.name(), e);
                LOG.log(System.Logger.Level.ERROR, "probe module {0} ({1}) is not running: {2}. The other modules "
                        + "run; --probes chooses which are enabled", module.name(), module.description(), e.getMessage());
            }
        }
        if (sources.isEmpty() && !failures.isEmpty()) {
            Exception first = failures.values().iterator().next();
            if (first instanceof IOException io) {
                throw io;
            }
            throw (BpfSetupException) first;
        }
    }

    /**
     * /readyz: ready once every enabled module was tried and at least one is attached. A module that
     * failed does not make the node unready (the others report), it shows as nodescope_probe_up 0.
     */
    private Optional<String> notReady() {
        return ready ? Optional.empty() : Optional.of("BPF probes not attached yet");
    }

    /** Feeds a recording through every module (no kernel, no root), then flushes. */
    public static long replay(NodescopeConfig config, ExportSetup export, PrintStream consoleStream)
            throws IOException {
        List<ProbeModule> modules = ProbeModules.all();
        MetricsRegistry metrics = export.metrics();
        long events = 0;
        try (EventReplay replay = EventReplay.open(config.replayFile().orElseThrow(), ProbeModules.codecs(modules))) {
            BootClock recordingClock = BootClock.fixed(replay.bootToWallOffsetNanos());
            // The spans happened on the recording's node, not on the one replaying them.
            Resource recordingNode = export.nodeResource().toBuilder().put(stringKey("host.name"), replay.hostname()).build();
            SpanOutputs outputs = outputs(config, export, consoleStream, metrics);
            Daemon daemon = new Daemon(config, outputs, Optional.empty(), metrics);
            try (daemon) {
                daemon.startHandlers(enabled(config, modules), metrics,
                        new SpanFactory(recordingClock, new WorkloadResources(recordingNode)), Optional.empty());
                EventPipeline pipeline = new EventPipeline(Optional.empty(), daemon.handlers);
                for (Optional<NodeEvent> event = replay.next(); event.isPresent(); event = replay.next()) {
                    pipeline.accept(event.get());
                    events++;
                }
            }
            if (replay.skippedUnknown() > 0) {
                LOG.log(System.Logger.Level.WARNING, "skipped {0} events of kinds this build does not know",
                        replay.skippedUnknown());
            }
        }
        return events;
    }

    private static SpanOutputs outputs(NodescopeConfig config, ExportSetup export, PrintStream consoleStream,
                                       MetricsRegistry metrics) {
        boolean console = config.console().orElse(export.otlpExporter().isEmpty());
        return SpanOutputs.create(export, console, consoleStream, metrics);
    }

    private static String hostPort(HttpServer server) {
        return server.boundAddress().getHostString() + ":" + server.boundAddress().getPort();
    }

    public Optional<InetSocketAddress> httpAddress() {
        return server.map(HttpServer::boundAddress);
    }

    /**
     * Stops in reverse order within the configured shutdown timeout. Idempotent. Every step runs
     * even if an earlier one failed: a stuck probe must not keep queued spans from the collector.
     */
    @Override
    public synchronized void close() {
        long started = System.nanoTime();
        ready = false;
        sources.forEach(source -> step("detaching the BPF probes", source::close));
        sources.clear();
        timer.ifPresent(ScheduledExecutorService::shutdownNow);
        timer = Optional.empty();
        handlers.forEach(handler -> step("reporting pending events", () -> handler.finish(remainingOf(started))));
        handlers.clear();
        recorder.ifPresent(r -> step("closing the recording", () -> {
            try {
                r.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        step("flushing spans", () -> outputs.shutdown(remainingOf(started)));
        // After the spans, so the last export counts them.
        step("flushing metrics", () -> metrics.shutdown(remainingOf(started)));
        workloads.ifPresent(resolver -> step("stopping the pod watch", resolver::close));
        workloads = Optional.empty();
        server.ifPresent(s -> step("stopping the HTTP server", s::close));
        server = Optional.empty();
    }

    private Duration remainingOf(long startedNanos) {
        Duration remaining = config.shutdownTimeout().minusNanos(System.nanoTime() - startedNanos);
        return remaining.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : remaining;
    }

    private static void step(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "shutdown: " + what + " failed", e);
        }
    }
}
