package io.nodescope.span;

import io.nodescope.event.ProcessExit;
import io.nodescope.proc.EnrichedOomKill;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Pairs each OOM kill with its victim's death, then emits the span. The death follows the mark
 * within milliseconds (the victim runs its SIGKILL); a victim stuck in uninterruptible sleep can
 * take longer, so a kill waits at most exitWaitNanos and is then reported without its death
 * rather than late. Thread-safe: fed by the ring thread, expired by a timer.
 */
public final class OomKillAssembler {
    /** A bound so a flood of kills with lost exits cannot grow memory. */
    static final int MAX_PENDING = 4096;

    private record Pending(EnrichedOomKill kill, long arrivedNanos) {}

    private final OomKillSpanMapper mapper;
    private final Consumer<SpanData> spans;
    private final long exitWaitNanos;
    private final LongSupplier nanoTime;
    private final Map<Integer, Pending> pendingByVictimTgid = new LinkedHashMap<>();

    public OomKillAssembler(OomKillSpanMapper mapper, Consumer<SpanData> spans, long exitWaitNanos,
                            LongSupplier nanoTime) {
        this.mapper = mapper;
        this.spans = spans;
        this.exitWaitNanos = exitWaitNanos;
        this.nanoTime = nanoTime;
    }

    public void onOomKill(EnrichedOomKill kill) {
        List<EnrichedOomKill> evicted = new ArrayList<>();
        synchronized (this) {
            // remove-then-put keeps the map in arrival order, which expire() relies on.
            Pending previous = pendingByVictimTgid.remove(kill.kill().victim().tgid());
            pendingByVictimTgid.put(kill.kill().victim().tgid(), new Pending(kill, nanoTime.getAsLong()));
            if (previous != null) {
                evicted.add(previous.kill()); // the same process marked twice: report both
            }
            if (pendingByVictimTgid.size() > MAX_PENDING) {
                Iterator<Pending> oldest = pendingByVictimTgid.values().iterator();
                evicted.add(oldest.next().kill());
                oldest.remove();
            }
        }
        evicted.forEach(pending -> emit(pending, Optional.empty()));
    }

    public void onProcessExit(ProcessExit exit) {
        Pending pending;
        synchronized (this) {
            pending = pendingByVictimTgid.remove(exit.task().tgid());
        }
        if (pending != null) {
            emit(pending.kill(), Optional.of(exit));
        }
    }

    /** Emits kills whose victim's death did not arrive in time. Called periodically. */
    public void expire() {
        long now = nanoTime.getAsLong();
        List<EnrichedOomKill> expired = new ArrayList<>();
        synchronized (this) {
            Iterator<Pending> iterator = pendingByVictimTgid.values().iterator();
            while (iterator.hasNext()) {
                Pending pending = iterator.next();
                if (now - pending.arrivedNanos() < exitWaitNanos) {
                    break; // insertion order is arrival order
                }
                expired.add(pending.kill());
                iterator.remove();
            }
        }
        expired.forEach(kill -> emit(kill, Optional.empty()));
    }

    /** At shutdown: report everything still waiting. */
    public void flush() {
        List<EnrichedOomKill> remaining;
        synchronized (this) {
            remaining = pendingByVictimTgid.values().stream().map(Pending::kill).toList();
            pendingByVictimTgid.clear();
        }
        remaining.forEach(kill -> emit(kill, Optional.empty()));
    }

    public synchronized int pendingCount() {
        return pendingByVictimTgid.size();
    }

    private void emit(EnrichedOomKill kill, Optional<ProcessExit> exit) {
        spans.accept(mapper.toSpan(kill, exit));
    }
}
