package io.nodescope.proc;

import io.nodescope.event.BootClock;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.time.Instant;

/**
 * This machine's clocks. The JDK has no CLOCK_BOOTTIME (System.nanoTime is CLOCK_MONOTONIC,
 * which stops during suspend and so drifts from BPF's timestamps) and /proc/uptime has it only
 * to 10 ms, so clock_gettime is called directly. Native access is enabled for the daemon (jar
 * manifest) and its tests (surefire argLine).
 */
public final class LiveBootClock implements BootClock {
    private static final int CLOCK_BOOTTIME = 7;
    @SuppressWarnings("restricted")
    private static final MethodHandle CLOCK_GETTIME = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("clock_gettime").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    /** Samples taken; the one whose wall-clock bracket is narrowest is kept. */
    private static final int SAMPLES = 5;

    /**
     * Reading the wall clock on both sides of the boot clock halves the error the read adds; the
     * narrowest of a few such brackets drops a sample stalled by a preemption or by the first
     * call's linking (tens of milliseconds on a loaded machine, seen in CI-like runs).
     */
    @Override
    public long bootToWallOffsetNanos() {
        long bestWidth = Long.MAX_VALUE;
        long bestOffset = 0;
        for (int sample = 0; sample < SAMPLES; sample++) {
            long wallBefore = wallNanos();
            long boot = bootTimeNanosNow();
            long wallAfter = wallNanos();
            if (wallAfter - wallBefore < bestWidth) {
                bestWidth = wallAfter - wallBefore;
                bestOffset = wallBefore + (wallAfter - wallBefore) / 2 - boot;
            }
        }
        return bestOffset;
    }

    private static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** CLOCK_BOOTTIME now, in nanoseconds: the clock bpf_ktime_get_boot_ns reads. */
    public static long bootTimeNanosNow() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timespec = arena.allocate(2 * Long.BYTES, Long.BYTES);
            int result = (int) CLOCK_GETTIME.invokeExact(CLOCK_BOOTTIME, timespec);
            if (result != 0) {
                throw new IllegalStateException("clock_gettime(CLOCK_BOOTTIME) failed");
            }
            return timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L
                    + timespec.get(ValueLayout.JAVA_LONG, Long.BYTES);
        } catch (Throwable e) {
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        }
    }
}
