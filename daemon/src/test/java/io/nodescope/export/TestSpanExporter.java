package io.nodescope.export;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records what it accepted, batch by batch. It can fail its next exports, hold every export
 * until released (a collector that does not answer), and counts exports in flight.
 */
final class TestSpanExporter implements SpanExporter {
    static final long AWAIT_SECONDS = 30;

    private final List<List<String>> acceptedBatches = new ArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile CountDownLatch release = new CountDownLatch(0);
    private final List<CountDownLatch> callWaiters = new ArrayList<>();
    private final List<CompletableResultCode> held = new ArrayList<>();
    private volatile boolean shutDown;

    /** The next n exports fail (after being counted as calls). */
    TestSpanExporter failNext(int n) {
        failuresLeft.set(n);
        return this;
    }

    /** Every export from now on stays unanswered until {@link #release()}. */
    TestSpanExporter hold() {
        release = new CountDownLatch(1);
        return this;
    }

    /** Answers every held export (successfully, unless it was told to fail). */
    void release() {
        release.countDown();
    }

    /** A latch that opens once export has been called this many times in total. */
    synchronized CountDownLatch callsReached(int count) {
        CountDownLatch latch = new CountDownLatch(Math.max(0, count - calls.get()));
        callWaiters.add(latch);
        return latch;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        boolean fail = failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        List<String> names = spans.stream().map(SpanData::getName).toList();
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        CompletableResultCode result = new CompletableResultCode();
        CountDownLatch gate = release;
        synchronized (this) {
            calls.incrementAndGet();
            callWaiters.forEach(CountDownLatch::countDown);
            held.add(result);
        }
        Thread.ofVirtual().start(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            if (fail) {
                result.fail();
            } else {
                synchronized (this) {
                    acceptedBatches.add(names);
                }
                result.succeed();
            }
        });
        return result;
    }

    synchronized List<List<String>> acceptedBatches() {
        return List.copyOf(acceptedBatches);
    }

    /** Every accepted span's name, in the order of the batches. */
    synchronized List<String> acceptedNames() {
        return acceptedBatches.stream().flatMap(List::stream).toList();
    }

    /** Waits until at least count spans were accepted; fails after {@link #AWAIT_SECONDS}. */
    void awaitAccepted(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        while (acceptedNames().size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + count + " accepted spans; have "
                        + acceptedBatches());
            }
            Thread.sleep(5);
        }
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    boolean isShutDown() {
        return shutDown;
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        shutDown = true;
        return CompletableResultCode.ofSuccess();
    }

    static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(AWAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("timed out waiting for " + what);
        }
    }
}
