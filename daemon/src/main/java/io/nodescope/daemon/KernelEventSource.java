package io.nodescope.daemon;

import io.nodescope.bpf.AttachedProbe;
import io.nodescope.bpf.BpfSetupException;
import io.nodescope.bpf.KernelProbe;
import io.nodescope.config.ModuleSettings;
import io.nodescope.decode.EventDecoder;
import io.nodescope.event.NodeEvent;
import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.module.ProbeModule;
import io.nodescope.ringbuf.MappedRing;
import io.nodescope.ringbuf.RingPoller;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One module's kernel side: its probe attached, its rings mapped, and a thread of its own that
 * drains them into the pipeline, so no module's ring waits behind another's (a flood of one event
 * class cannot delay an OOM kill). Closing detaches the programs first, so nothing new arrives
 * while the rest flushes.
 */
final class KernelEventSource implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("nodescope.daemon");
    /** epoll_wait bound: how quickly the drain thread notices a stop request. */
    private static final int POLL_TIMEOUT_MILLIS = 100;

    private final String module;
    private final KernelProbe spec;
    private final AttachedProbe probe;
    private final List<MappedRing> rings;
    private final RingPoller poller;
    private final Thread drainThread;
    private volatile boolean running = true;

    private KernelEventSource(String module, KernelProbe spec, AttachedProbe probe, List<MappedRing> rings,
                              RingPoller poller) {
        this.module = module;
        this.spec = spec;
        this.probe = probe;
        this.rings = rings;
        this.poller = poller;
        // A daemon thread: if shutdown goes wrong, a leftover drain loop must not keep the JVM alive.
        this.drainThread = Thread.ofPlatform().daemon().name("nodescope-" + module + "-ring").unstarted(this::drainLoop);
    }

    /**
     * Attaches the module and starts draining its rings.
     *
     * @throws BpfSetupException when the module cannot attach: the message names the cause and fix
     */
    static KernelEventSource start(ProbeModule module, ModuleSettings settings, EventDecoder decoder,
                                   Consumer<NodeEvent> pipeline, MetricsRegistry metrics)
            throws BpfSetupException, IOException {
        KernelProbe spec = module.kernelProbe(settings);
        AttachedProbe probe = AttachedProbe.attach(module.name(), spec);
        List<MappedRing> rings = new ArrayList<>();
        RingPoller poller = null;
        try {
            poller = new RingPoller();
            for (KernelProbe.Ring ring : spec.rings()) {
                MappedRing mapped = MappedRing.map(ring.map(), probe.ringFd(ring), probe.ringSize(ring));
                rings.add(mapped);
                Counter received = metrics.counter("nodescope_ring_events_total", "Records read from a BPF ring",
                        "ring", ring.map());
                metrics.counterFrom("nodescope_ring_kernel_drops_total",
                        "Records the kernel could not reserve on a full ring (lost)", () -> probe.kernelDrops(ring),
                        "ring", ring.map());
                poller.add(mapped, (buffer, offset, length) -> {
                    received.increment();
                    decoder.decode(buffer, offset, length).ifPresent(pipeline);
                });
            }
            KernelEventSource source = new KernelEventSource(module.name(), spec, probe, rings, poller);
            source.drainThread.start();
            return source;
        } catch (IOException | BpfSetupException | RuntimeException e) {
            if (poller != null) {
                poller.close();
            }
            rings.forEach(MappedRing::close);
            probe.close();
            throw e;
        }
    }

    /** How each of the module's attach groups was attached (for the start-up log line). */
    String describeAttachments() {
        List<String> parts = new ArrayList<>();
        for (KernelProbe.AttachGroup group : spec.groups()) {
            parts.add(group.purpose() + " via " + probe.source(group).map(s -> s.attributeValue()).orElse("nothing"));
        }
        return String.join(", ", parts);
    }

    private void drainLoop() {
        while (running) {
            try {
                poller.poll(POLL_TIMEOUT_MILLIS);
            } catch (RuntimeException e) {
                // A bug in a later stage must not stop the module's reporting: log and go on.
                LOG.log(System.Logger.Level.ERROR, module + ": event pipeline failed on a record; continuing", e);
            }
        }
    }

    /** Detaches, drains what the kernel already wrote, then unmaps. */
    @Override
    public void close() {
        probe.detach();
        running = false;
        try {
            drainThread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poller.poll(0);
        poller.close();
        rings.forEach(MappedRing::close);
        probe.close();
    }
}
