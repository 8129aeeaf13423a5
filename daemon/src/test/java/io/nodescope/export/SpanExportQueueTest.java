package io.nodescope.export;

import static io.nodescope.export.TestSpanExporter.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.metrics.MetricsRegistry;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpanExportQueueTest {
    private static final Duration LONG = Duration.ofMinutes(5);

    private final MetricsRegistry metrics = new MetricsRegistry();
    private final TestSpanExporter exporter = new TestSpanExporter();
    private SpanExportQueue queue;

    @AfterEach
    void stop() {
        exporter.release();
        if (queue != null) {
            queue.shutdown(Duration.ofSeconds(10));
        }
    }

    private SpanExportQueue queue(int maxQueueSize, int maxBatchSize, Duration scheduleDelay, int concurrency) {
        queue = new SpanExportQueue("test", exporter,
                new ExportSettings(maxQueueSize, maxBatchSize, scheduleDelay, LONG, concurrency), metrics);
        return queue;
    }

    private void accept(int fromInclusive, int toExclusive) {
        IntStream.range(fromInclusive, toExclusive).forEach(i -> queue.accept(TestSpans.numbered(i)));
    }

    private static List<String> names(int fromInclusive, int toExclusive) {
        return IntStream.range(fromInclusive, toExclusive).mapToObj(i -> "span-" + i).toList();
    }

    /** The value of one sample in the Prometheus text the /metrics endpoint serves. */
    private long metric(String name) {
        String prefix = name + "{exporter=\"test\"} ";
        return metrics.renderPrometheusText().lines().filter(line -> line.startsWith(prefix))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(prefix.length())))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not rendered"));
    }

    /**
     * The exporter has a batch before the queue counts it (the count follows the export's
     * result), so a count is awaited, not read right after the exporter saw the spans.
     */
    private void awaitMetric(String name, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(TestSpanExporter.AWAIT_SECONDS);
        while (metric(name) != expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, metric(name), name);
    }

    @Test
    void spansArriveInTheOrderTheyWereAccepted() throws Exception {
        queue(100, 3, Duration.ofMillis(10), 1);

        accept(0, 10);
        exporter.awaitAccepted(10);

        assertEquals(names(0, 10), exporter.acceptedNames());
        awaitMetric("nodescope_spans_exported_total", 10);
    }

    @Test
    void aFullBatchIsExportedWithoutWaitingForTheScheduleDelay() throws Exception {
        queue(100, 4, LONG, 1);

        accept(0, 4);
        exporter.awaitAccepted(4);

        assertEquals(List.of(names(0, 4)), exporter.acceptedBatches());
    }

    @Test
    void fullQueueDropsAndCountsWithoutBlockingAccept() throws Exception {
        queue(2, 1, Duration.ofMillis(1), 1);
        exporter.hold();
        accept(0, 1);
        await(exporter.callsReached(1), "span-0 in flight");

        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> accept(1, 6), "accept blocked");

        assertEquals(2, queue.queued());
        assertEquals(3, metric("nodescope_spans_dropped_total"));
        assertEquals(2, metric("nodescope_export_queue_spans"));
        exporter.release();
        exporter.awaitAccepted(3);
        assertEquals(names(0, 3), exporter.acceptedNames());
    }

    @Test
    void failedBatchIsRetriedAfterTheBackoffAndArrivesOnceTheExporterRecovers() throws Exception {
        // Three spans fill a batch: none leaves alone on the schedule delay while the test is still accepting.
        queue(100, 3, LONG, 1);
        exporter.failNext(2);

        accept(0, 3);
        exporter.awaitAccepted(3);

        assertEquals(List.of(names(0, 3)), exporter.acceptedBatches());
        assertEquals(2, metric("nodescope_export_failures_total"));
        awaitMetric("nodescope_spans_exported_total", 3);
        assertEquals(0, metric("nodescope_spans_dropped_total"));
    }

    @Test
    void severalExportsAreInFlightAtOnce() throws Exception {
        queue(100, 1, Duration.ofMillis(1), 3);
        exporter.hold();

        accept(0, 3);
        // With one export in flight at a time the second call never comes while the first is held.
        await(exporter.callsReached(3), "three concurrent exports");

        assertEquals(3, exporter.maxInFlight());
        exporter.release();
        exporter.awaitAccepted(3);
    }

    @Test
    void shutdownFlushesWhatIsQueuedAndShutsTheExporterDown() throws Exception {
        queue(100, 50, LONG, 2);
        accept(0, 5);

        queue.shutdown(Duration.ofSeconds(30));

        assertEquals(names(0, 5), exporter.acceptedNames());
        assertTrue(exporter.isShutDown());
        assertEquals(0, metric("nodescope_spans_dropped_total"));
    }

    @Test
    void shutdownCountsQueuedAndInFlightSpansItCouldNotSend() throws Exception {
        queue(100, 1, Duration.ofMillis(1), 1);
        exporter.hold();
        accept(0, 1);
        await(exporter.callsReached(1), "span-0 in flight");
        accept(1, 3);

        queue.shutdown(Duration.ofMillis(100));

        assertEquals(3, metric("nodescope_spans_dropped_total"));
        assertEquals(0, metric("nodescope_export_queue_spans"));
        assertEquals(0, metric("nodescope_spans_exported_total"));
    }

    @Test
    void batchThatFailsDuringShutdownIsCountedAsDropped() throws Exception {
        queue(100, 10, LONG, 1);
        exporter.failNext(1);
        accept(0, 2);

        queue.shutdown(Duration.ofSeconds(30));

        assertEquals(2, metric("nodescope_spans_dropped_total"));
        assertEquals(1, metric("nodescope_export_failures_total"));
    }

    @Test
    void spansAcceptedAfterShutdownAreDroppedAndCounted() {
        queue(100, 10, Duration.ofMillis(1), 1);
        queue.shutdown(Duration.ofSeconds(10));

        accept(0, 2);

        assertEquals(2, metric("nodescope_spans_dropped_total"));
        assertTrue(exporter.acceptedNames().isEmpty());
    }
}
