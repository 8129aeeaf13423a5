package io.nodescope.record;

import io.nodescope.event.BootClock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where and when a recording is made: the facts {@link EventRecorder#create} writes into the header.
 *
 * @param bootToWallOffsetNanos wall-clock nanoseconds since the epoch minus CLOCK_BOOTTIME nanoseconds
 */
public record RecordingOrigin(String hostname, String kernelRelease, long bootToWallOffsetNanos) {
    /** The node this process runs on, now. */
    public static RecordingOrigin ofThisNode(BootClock clock) throws IOException {
        return new RecordingOrigin(readProcLine("/proc/sys/kernel/hostname"),
                readProcLine("/proc/sys/kernel/osrelease"), clock.bootToWallOffsetNanos());
    }

    private static String readProcLine(String file) throws IOException {
        return Files.readString(Path.of(file)).strip();
    }
}
