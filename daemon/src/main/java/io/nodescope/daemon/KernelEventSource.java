package io.nodescope.daemon;

import io.nodescope.bpf.BpfSetupException;
import io.nodescope.bpf.OomProbe;
import io.nodescope.decode.EventDecoder;
import io.nodescope.event.NodeEvent;
import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.ringbuf.MappedRing;
import io.nodescope.ringbuf.RingPoller;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The kernel side: the OOM probe attached, its ring mapped, one thread draining it into the
 * pipeline. Closing detaches the programs first, so nothing new arrives while the rest flushes.
 */
final class KernelEventSource implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("nodescope.daemon");
    /** epoll_wait bound: how quickly the drain thread notices a stop request. */
    private static final int POLL_TIMEOUT_MILLIS = 100;

    private final OomProbe oomProbe;
    private final MappedRing oomRing;
    private final RingPoller poller;
    private final Thread drainThread;
    private volatile boolean running = true;

    private KernelEventSource(OomProbe oomProbe, MappedRing oomRing, RingPoller poller, EventDecoder decoder,
                              Consumer<NodeEvent> pipeline, MetricsRegistry metrics) throws IOException {
        this.oomProbe = oomProbe;
        this.oomRing = oomRing;
        this.poller = poller;
        Counter received = metrics.counter("nodescope_ring_events_total", "Records read from a BPF ring",
                "ring", OomProbe.RING_MAP);
        metrics.counterFrom("nodescope_ring_kernel_drops_total",
                "Records the kernel could not reserve on a full ring (lost)", oomProbe::kernelDrops,
                "ring", OomProbe.RING_MAP);
        poller.add(oomRing, (buffer, offset, length) -> {
            received.increment();
            decoder.decode(buffer, offset, length).ifPresent(pipeline);
        });
        // A daemon thread: if shutdown goes wrong, a leftover drain loop must not keep the JVM alive.
        this.drainThread = Thread.ofPlatform().daemon().name("nodescope-ring-drain").unstarted(this::drainLoop);
    }

    static KernelEventSource start(EventDecoder decoder, Consumer<NodeEvent> pipeline, MetricsRegistry metrics)
            throws BpfSetupException, IOException {
        OomProbe probe = OomProbe.attach();
        MappedRing ring = null;
        RingPoller poller = null;
        try {
            ring = MappedRing.map(OomProbe.RING_MAP, probe.ringFd(), probe.ringSize());
            poller = new RingPoller();
            KernelEventSource source = new KernelEventSource(probe, ring, poller, decoder, pipeline, metrics);
            source.drainThread.start();
            return source;
        } catch (IOException | BpfSetupException | RuntimeException e) {
            if (poller != null) {
                poller.close();
            }
            if (ring != null) {
                ring.close();
            }
            probe.close();
            throw e;
        }
    }

    OomProbe oomProbe() {
        return oomProbe;
    }

    private void drainLoop() {
        while (running) {
            try {
                poller.poll(POLL_TIMEOUT_MILLIS);
            } catch (RuntimeException e) {
                // A bug in a later stage must not stop the node's OOM reporting: log and go on.
                LOG.log(System.Logger.Level.ERROR, "event pipeline failed on a record; continuing", e);
            }
        }
    }

    /** Detaches, drains what the kernel already wrote, then unmaps. */
    @Override
    public void close() {
        oomProbe.detach();
        running = false;
        try {
            drainThread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poller.poll(0);
        poller.close();
        oomRing.close();
        oomProbe.close();
    }
}
