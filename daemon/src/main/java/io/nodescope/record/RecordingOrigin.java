package io.nodescope.record;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Where and when a recording is made: the facts {@link EventRecorder#create} writes into the header.
 *
 * @param bootToWallOffsetNanos wall-clock nanoseconds since the epoch minus CLOCK_BOOTTIME nanoseconds
 */
public record RecordingOrigin(String hostname, String kernelRelease, long bootToWallOffsetNanos) {
    private static final int CLOCK_BOOTTIME = 7;
    // The JDK has no CLOCK_BOOTTIME (System.nanoTime is CLOCK_MONOTONIC, which stops during
    // suspend and so drifts from the BPF timestamps); /proc/uptime has it, but only to 10 ms.
    // Native access is enabled for the daemon (jar manifest) and its tests (surefire argLine).
    @SuppressWarnings("restricted")
    private static final MethodHandle CLOCK_GETTIME = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("clock_gettime").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    /** The node this process runs on, now. */
    public static RecordingOrigin ofThisNode() throws IOException {
        return new RecordingOrigin(readProcLine("/proc/sys/kernel/hostname"),
                readProcLine("/proc/sys/kernel/osrelease"), currentBootToWallOffsetNanos());
    }

    private static String readProcLine(String file) throws IOException {
        return Files.readString(Path.of(file)).strip();
    }

    static long currentBootToWallOffsetNanos() {
        // Reading the wall clock on both sides halves the error the boot clock read adds.
        long wallBefore = wallNanos();
        long boot = bootTimeNanos();
        long wallAfter = wallNanos();
        return wallBefore + (wallAfter - wallBefore) / 2 - boot;
    }

    private static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static long bootTimeNanos() {
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
