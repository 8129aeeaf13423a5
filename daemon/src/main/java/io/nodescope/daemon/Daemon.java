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
import io.nodescope.proc.EnrichedOomKill;
import io.nodescope.proc.IdentitySettings;
import io.nodescope.proc.WorkloadIdentityResolver;
import io.nodescope.proc.LiveBootClock;
import io.nodescope.proc.MemcgPaths;
import io.nodescope.proc.OomEnricher;
import io.nodescope.proc.ProcessFiles;
import io.nodescope.record.EventRecorder;
import io.nodescope.record.EventReplay;
import io.nodescope.record.RecordingOrigin;
import io.nodescope.server.HttpServer;
import io.nodescope.span.OomKillAssembler;
import io.nodescope.span.PendingOomKill;
import io.nodescope.symbol.CapturedStacks;
import io.nodescope.symbol.OomStackSymbolizer;
import io.nodescope.symbol.Symbolizer;
import io.nodescope.span.OomKillSpanMapper;
import io.nodescope.span.WorkloadResources;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running nodescope: outputs, pipeline, event source and HTTP server, started in the order
 * that lets each see the next ready, and stopped in the reverse order so nothing in flight is
 * lost: detach the probes, drain the rings, report pending kills, flush the exports.
 */
public final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("nodescope.daemon");
    /** How often pending OOM kills are checked for an overdue victim death. */
    private static final long EXPIRE_PERIOD_MILLIS = 100;

    private final NodescopeConfig config;
    private final SpanOutputs outputs;
    private final OomKillAssembler oomKills;
    private final OomKillReporter reporter;
    private final ScheduledExecutorService timer;
    private final Optional<EventRecorder> recorder;
    private Optional<HttpServer> server = Optional.empty();
    private Optional<KernelEventSource> kernel = Optional.empty();
    private Optional<WorkloadIdentityResolver> workloads = Optional.empty();
    private volatile boolean ready;

    private Daemon(NodescopeConfig config, SpanOutputs outputs, OomKillReporter reporter,
                   Optional<EventRecorder> recorder) {
        this.config = config;
        this.outputs = outputs;
        this.reporter = reporter;
        this.oomKills = new OomKillAssembler(reporter, config.oomExitWait().toNanos(), System::nanoTime);
        this.recorder = recorder;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("nodescope-oom-expiry").factory());
        timer.scheduleAtFixedRate(this::expirePendingKills, EXPIRE_PERIOD_MILLIS, EXPIRE_PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private void expirePendingKills() {
        try {
            oomKills.expire();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "reporting an OOM kill failed", e);
        }
    }

    /** Attaches to the kernel and runs until {@link #close()}. */
    public static Daemon startLive(NodescopeConfig config, ExportSetup export, IdentitySettings identity,
                                   PrintStream consoleStream) throws BpfSetupException, IOException {
        KernelPreflight.forThisProcess().check();
        MetricsRegistry metrics = new MetricsRegistry();
        BootClock clock = new LiveBootClock();
        SpanOutputs outputs = outputs(config, export, consoleStream, metrics);
        OomStackSymbolizer stacks = new OomStackSymbolizer(Symbolizer.create(config.procRoot(), metrics));
        OomKillReporter reporter = new OomKillReporter(mapper(export, clock), Optional.of(stacks), outputs, metrics);
        Optional<EventRecorder> recorder = Optional.empty();
        if (config.recordFile().isPresent()) {
            RecordingOrigin origin = RecordingOrigin.ofThisNode(clock);
            recorder = Optional.of(EventRecorder.create(config.recordFile().get(), origin.hostname(),
                    origin.kernelRelease(), origin.bootToWallOffsetNanos()));
        }
        Daemon daemon = new Daemon(config, outputs, reporter, recorder);
        try {
            if (config.httpAddress().isPresent()) {
                daemon.server = Optional.of(HttpServer.start(config.httpAddress().get(), metrics,
                        () -> daemon.ready ? Optional.empty() : Optional.of("BPF probes not attached yet")));
            }
            MemcgPaths memcgPaths = MemcgPaths.discover(config.cgroupRoot());
            ProcessFiles processFiles = new ProcessFiles(config.procRoot());
            daemon.workloads = Optional.of(WorkloadIdentityResolver.start(memcgPaths, processFiles, identity, metrics));
            OomEnricher enricher = new OomEnricher(memcgPaths, processFiles, daemon.workloads.get(), metrics);
            stacks.warmUp();
            EventPipeline pipeline = new EventPipeline(recorder, new OomKillArrival(stacks, enricher),
                    daemon.oomKills);
            daemon.kernel = Optional.of(KernelEventSource.start(new EventDecoder(PageSize.ofThisKernel(), metrics),
                    pipeline, metrics));
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
        LOG.log(System.Logger.Level.INFO, "nodescope ready: OOM kills traced via {0}; spans to {1}{2}",
                daemon.kernel.get().oomProbe().source().attributeValue(), outputs.describe(),
                daemon.server.map(s -> "; /metrics on http://" + hostPort(s)).orElse(""));
        return daemon;
    }

    /** Feeds a recording through the pipeline (no kernel, no root), then flushes. */
    public static long replay(NodescopeConfig config, ExportSetup export, PrintStream consoleStream)
            throws IOException {
        MetricsRegistry metrics = new MetricsRegistry();
        long events = 0;
        try (EventReplay replay = EventReplay.open(config.replayFile().orElseThrow())) {
            BootClock recordingClock = BootClock.fixed(replay.bootToWallOffsetNanos());
            SpanOutputs outputs = outputs(config, export, consoleStream, metrics);
            OomKillReporter reporter = new OomKillReporter(mapper(export, recordingClock), Optional.empty(), outputs,
                    metrics);
            Daemon daemon = new Daemon(config, outputs, reporter, Optional.empty());
            // The recording's /proc, cgroups and binaries are not this machine's: nothing is
            // enriched and the stacks keep their addresses.
            EventPipeline pipeline = new EventPipeline(Optional.empty(),
                    kill -> new PendingOomKill(EnrichedOomKill.unresolved(kill), CapturedStacks.NONE), daemon.oomKills);
            try (daemon) {
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

    private static OomKillSpanMapper mapper(ExportSetup export, BootClock clock) {
        return new OomKillSpanMapper(clock, new WorkloadResources(export.nodeResource()));
    }

    private static String hostPort(HttpServer server) {
        return server.boundAddress().getHostString() + ":" + server.boundAddress().getPort();
    }

    public Optional<java.net.InetSocketAddress> httpAddress() {
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
        kernel.ifPresent(source -> step("detaching the BPF probes", source::close));
        kernel = Optional.empty();
        timer.shutdownNow();
        step("reporting pending OOM kills", oomKills::flush);
        step("symbolizing reported OOM kills", () -> reporter.finish(remainingOf(started)));
        recorder.ifPresent(r -> step("closing the recording", () -> {
            try {
                r.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        step("flushing spans", () -> outputs.shutdown(remainingOf(started)));
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
