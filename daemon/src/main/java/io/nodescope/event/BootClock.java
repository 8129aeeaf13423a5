package io.nodescope.event;

/**
 * Converts kernel timestamps (CLOCK_BOOTTIME, as bpf_ktime_get_boot_ns gives them) to wall-clock
 * time. BOOTTIME rather than MONOTONIC because it keeps counting during suspend, so one offset
 * stays right across a laptop's sleep; the offset is re-read per conversion so NTP steps of the
 * wall clock are followed.
 */
public interface BootClock {
    /** Wall-clock nanoseconds since the epoch minus CLOCK_BOOTTIME nanoseconds, now. */
    long bootToWallOffsetNanos();

    default long toEpochNanos(long bootTimeNanos) {
        return bootTimeNanos + bootToWallOffsetNanos();
    }

    /** A clock frozen at a recorded offset: replays keep the wall-clock times of the recording. */
    static BootClock fixed(long bootToWallOffsetNanos) {
        return () -> bootToWallOffsetNanos;
    }
}
