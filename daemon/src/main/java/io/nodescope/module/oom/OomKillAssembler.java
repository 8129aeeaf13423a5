package io.nodescope.module.oom;

import io.nodescope.module.exit.ProcessExit;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Pairs each OOM kill with its victim's death, then hands both on to be reported. The death
 * usually follows the mark within milliseconds; a victim stuck in uninterruptible sleep can take
 * longer, so a kill waits at most exitWaitNanos and is then reported without its death rather
 * than late. The death can also come first: __oom_kill_process() sends SIGKILL before
 * mark_oom_victim(), and a victim that was sleeping on another CPU can be dead (and its exit on
 * the ring) before the mark is. So deaths of OOM victims are kept for exitWaitNanos too, for the
 * kill that names them. Thread-safe: fed by the ring thread, expired by a timer.
 */
public final class OomKillAssembler {
    /** A bound so a flood of kills with lost exits cannot grow memory. */
    static final int MAX_PENDING = 4096;

    /** Receives each kill once, with its victim's death when that was seen in time. */
    @FunctionalInterface
    public interface Reporter {
        void report(PendingOomKill kill, Optional<ProcessExit> victimExit);
    }

    private record Pending(PendingOomKill kill, long arrivedNanos) {}

    private record EarlyExit(ProcessExit exit, long arrivedNanos) {}

    private final Reporter reporter;
    private final long exitWaitNanos;
    private final LongSupplier nanoTime;
    private final Map<Integer, Pending> pendingByVictimTgid = new LinkedHashMap<>();
    /** OOM victims' deaths that arrived before their kill, in arrival order. */
    private final Map<Integer, EarlyExit> earlyExitsByTgid = new LinkedHashMap<>();

    public OomKillAssembler(Reporter reporter, long exitWaitNanos, LongSupplier nanoTime) {
        this.reporter = reporter;
        this.exitWaitNanos = exitWaitNanos;
        this.nanoTime = nanoTime;
    }

    public void onOomKill(PendingOomKill kill) {
        List<PendingOomKill> evicted = new ArrayList<>();
        int victimTgid = kill.enriched().kill().victim().tgid();
        EarlyExit early;
        synchronized (this) {
            early = earlyExitsByTgid.remove(victimTgid);
        }
        if (early != null) {
            emit(kill, Optional.of(early.exit()));
            return;
        }
        synchronized (this) {
            // remove-then-put keeps the map in arrival order, which expire() relies on.
            Pending previous = pendingByVictimTgid.remove(victimTgid);
            pendingByVictimTgid.put(victimTgid, new Pending(kill, nanoTime.getAsLong()));
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
            if (pending == null && exit.oomVictim()) {
                earlyExitsByTgid.remove(exit.task().tgid()); // keeps arrival order for expire()
                earlyExitsByTgid.put(exit.task().tgid(), new EarlyExit(exit, nanoTime.getAsLong()));
                if (earlyExitsByTgid.size() > MAX_PENDING) {
                    Iterator<EarlyExit> oldest = earlyExitsByTgid.values().iterator();
                    oldest.next();
                    oldest.remove();
                }
            }
        }
        if (pending != null) {
            emit(pending.kill(), Optional.of(exit));
        }
    }

    /** Emits kills whose victim's death did not arrive in time. Called periodically. */
    public void expire() {
        long now = nanoTime.getAsLong();
        List<PendingOomKill> expired = new ArrayList<>();
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
            // An early death whose kill never came (a kill lost on a full ring) is dropped.
            Iterator<EarlyExit> exits = earlyExitsByTgid.values().iterator();
            while (exits.hasNext() && now - exits.next().arrivedNanos() >= exitWaitNanos) {
                exits.remove();
            }
        }
        expired.forEach(kill -> emit(kill, Optional.empty()));
    }

    /** At shutdown: report everything still waiting. */
    public void flush() {
        List<PendingOomKill> remaining;
        synchronized (this) {
            remaining = pendingByVictimTgid.values().stream().map(Pending::kill).toList();
            pendingByVictimTgid.clear();
        }
        remaining.forEach(kill -> emit(kill, Optional.empty()));
    }

    public synchronized int pendingCount() {
        return pendingByVictimTgid.size();
    }

    private void emit(PendingOomKill kill, Optional<ProcessExit> exit) {
        reporter.report(kill, exit);
    }
}
