package io.nodescope.module;

import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A module's report work (naming stacks, building and handing over spans) on its own thread:
 * naming a stack can index a large library for tens of milliseconds the first time, and the ring
 * thread must not wait for that. Bounded; what does not fit is dropped and counted in
 * nodescope_reports_dropped_total{probe}.
 */
public final class ReportWorker {
    private static final System.Logger LOG = System.getLogger("nodescope.module");

    private final String module;
    private final Counter dropped;
    private final ThreadPoolExecutor worker;

    /** @param capacity reports that may wait; far above the module's real rate, small enough to bound memory */
    public ReportWorker(String module, int capacity, MetricsRegistry metrics) {
        this.module = module;
        this.dropped = metrics.counter("nodescope_reports_dropped_total",
                "Events not reported because too many were waiting for the module's report thread",
                "probe", module);
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity),
                Thread.ofPlatform().daemon().name("nodescope-" + module + "-reports").factory());
    }

    /** Queues report; false (counted) when the queue is full or the worker finished. */
    public boolean submit(Runnable report) {
        try {
            worker.execute(() -> {
                try {
                    report.run();
                } catch (RuntimeException e) {
                    // One bad event costs its report, never the worker.
                    LOG.log(System.Logger.Level.ERROR, module + ": reporting an event failed", e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            dropped.increment();
            return false;
        }
    }

    /** Finishes what was handed over, waiting at most timeout. */
    public void finish(Duration timeout) {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "{0}: {1} events not reported before shutdown", module,
                        worker.getQueue().size());
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
