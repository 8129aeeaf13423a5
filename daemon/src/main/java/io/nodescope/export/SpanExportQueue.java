package io.nodescope.export;

import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A bounded queue in front of one SpanExporter, with several exports in flight.
 *
 * <p>Why not the SDK's BatchSpanProcessor: it keeps one export in flight (a collector on the
 * same node then stalls each request on Nagle/delayed ACK) and drops a failed batch. Here a
 * batch that failed (after the exporter's own OTLP retries) goes back to the head of the queue
 * and is tried again after a backoff, so spans queued while the collector was down arrive once
 * it is back, as long as they fit in the bound. {@link #accept} never blocks: the ring thread
 * calls it. What does not fit is dropped and counted.
 */
public final class SpanExportQueue implements Consumer<SpanData>, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("nodescope.export");
    private static final Duration MIN_RETRY_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY_BACKOFF = Duration.ofSeconds(30);

    private final String exporterName;
    private final SpanExporter exporter;
    private final ExportSettings settings;
    private final Deque<SpanData> queue = new ArrayDeque<>();
    private final List<Thread> workers = new ArrayList<>();
    private final Counter exported;
    private final Counter failures;
    private final Counter dropped;
    private int inFlight;
    /** When the queue last went from empty to non-empty. */
    private long oldestQueuedNanos;
    /** Spans in the batches in flight: what shutdown counts as dropped if they are still out at its deadline. */
    private int inFlightSpans;
    /** Shutdown's deadline passed: the batches still in flight were counted as dropped already. */
    private boolean abandoned;
    private long retryNotBeforeNanos;
    private Duration backoff = MIN_RETRY_BACKOFF;
    private boolean closing;
    private boolean warnedFailing;

    public SpanExportQueue(String exporterName, SpanExporter exporter, ExportSettings settings,
                           MetricsRegistry metrics) {
        this.exporterName = exporterName;
        this.exporter = exporter;
        this.settings = settings;
        this.exported = metrics.counter("nodescope_spans_exported_total", "Spans the exporter accepted",
                "exporter", exporterName);
        this.failures = metrics.counter("nodescope_export_failures_total",
                "Export calls that failed after the exporter's own retries", "exporter", exporterName);
        this.dropped = metrics.counter("nodescope_spans_dropped_total",
                "Spans dropped because the export queue was full", "exporter", exporterName);
        metrics.gauge("nodescope_export_queue_spans", "Spans waiting in the export queue", this::queued,
                "exporter", exporterName);
        for (int i = 0; i < settings.maxConcurrentExports(); i++) {
            Thread worker = Thread.ofPlatform().daemon().name("nodescope-export-" + exporterName + "-" + i)
                    .unstarted(this::exportLoop);
            workers.add(worker);
            worker.start();
        }
    }

    @Override
    public void accept(SpanData span) {
        synchronized (this) {
            if (!closing && queue.size() < settings.maxQueueSize()) {
                if (queue.isEmpty()) {
                    oldestQueuedNanos = System.nanoTime(); // the schedule delay runs from here
                    notifyAll();
                }
                queue.addLast(span);
                if (queue.size() >= settings.maxExportBatchSize()) {
                    notifyAll();
                }
                return;
            }
        }
        dropped.increment();
    }

    public synchronized int queued() {
        return queue.size();
    }

    private void exportLoop() {
        while (true) {
            List<SpanData> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                return;
            }
            boolean ok = exportOnce(batch);
            synchronized (this) {
                inFlight--;
                inFlightSpans -= batch.size();
                if (ok) {
                    backoff = MIN_RETRY_BACKOFF;
                    retryNotBeforeNanos = 0;
                } else if (!closing) {
                    requeueAtHead(batch);
                } else if (!abandoned) {
                    dropped.add(batch.size()); // failed during shutdown: no retry any more
                }
                notifyAll();
            }
        }
    }

    /**
     * Waits for a full batch, for the oldest queued span to have waited the schedule delay, or for
     * shutdown; null when closed and drained. An empty queue waits for accept()'s notify, never
     * on a timer, so idle workers cost nothing.
     */
    private synchronized List<SpanData> nextBatch() throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            if (queue.isEmpty()) {
                if (closing) {
                    return null;
                }
                wait();
            } else if (now < retryNotBeforeNanos) {
                TimeUnit.NANOSECONDS.timedWait(this, retryNotBeforeNanos - now);
            } else if (closing || queue.size() >= settings.maxExportBatchSize()
                    || now - oldestQueuedNanos >= settings.scheduleDelay().toNanos()) {
                List<SpanData> batch = new ArrayList<>(Math.min(queue.size(), settings.maxExportBatchSize()));
                while (!queue.isEmpty() && batch.size() < settings.maxExportBatchSize()) {
                    batch.add(queue.pollFirst());
                }
                inFlight++;
                inFlightSpans += batch.size();
                return batch;
            } else {
                TimeUnit.NANOSECONDS.timedWait(this, settings.scheduleDelay().toNanos() - (now - oldestQueuedNanos));
            }
        }
    }

    private boolean exportOnce(List<SpanData> batch) {
        CompletableResultCode result;
        try {
            result = exporter.export(batch).join(settings.exportTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            result = CompletableResultCode.ofExceptionalFailure(e);
        }
        if (result.isSuccess()) {
            exported.add(batch.size());
            if (warnedFailing) {
                warnedFailing = false;
                LOG.log(System.Logger.Level.INFO, "{0} export works again", exporterName);
            }
            return true;
        }
        failures.increment();
        if (!warnedFailing) {
            warnedFailing = true;
            LOG.log(System.Logger.Level.WARNING, "{0} export failed ({1}); spans stay queued and are retried "
                    + "(failures counted in nodescope_export_failures_total)", exporterName, cause(result));
        }
        return false;
    }

    private static String cause(CompletableResultCode result) {
        Throwable failure = result.getFailureThrowable();
        if (failure == null) {
            return result.isDone() ? "rejected" : "timed out";
        }
        // The SDK wraps transport errors in internal exception classes: the cause names the problem.
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** Keeps the oldest spans first; if the queue filled meanwhile, the newest are dropped. */
    private void requeueAtHead(List<SpanData> batch) {
        if (queue.isEmpty()) {
            oldestQueuedNanos = System.nanoTime();
        }
        for (int i = batch.size() - 1; i >= 0; i--) {
            if (queue.size() >= settings.maxQueueSize()) {
                queue.pollLast();
                dropped.increment();
            }
            queue.addFirst(batch.get(i));
        }
        retryNotBeforeNanos = System.nanoTime() + backoff.toNanos();
        backoff = backoff.multipliedBy(2).compareTo(MAX_RETRY_BACKOFF) > 0 ? MAX_RETRY_BACKOFF
                : backoff.multipliedBy(2);
    }

    /**
     * Exports what is queued, waiting at most timeout, then shuts the exporter down. Spans still
     * queued then are counted as dropped.
     */
    public void shutdown(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            closing = true;
            retryNotBeforeNanos = 0;
            notifyAll();
            while ((!queue.isEmpty() || inFlight > 0) && System.nanoTime() < deadline) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, deadline - System.nanoTime()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            // In-flight batches count too: an exporter that never answers would otherwise lose
            // them uncounted. One answered successfully after this point is counted in both.
            int unsent = queue.size() + inFlightSpans;
            if (unsent > 0) {
                LOG.log(System.Logger.Level.WARNING, "{0}: {1} spans not exported before shutdown", exporterName,
                        unsent);
                dropped.add(unsent);
                queue.clear();
                abandoned = true;
            }
        }
        workers.forEach(Thread::interrupt);
        exporter.shutdown().join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        shutdown(settings.exportTimeout());
    }
}
