package io.nodescope.proc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LiveBootClockTest {
    /** /proc/uptime's resolution: it is CLOCK_BOOTTIME in centiseconds. */
    private static final long UPTIME_RESOLUTION_NANOS = 10_000_000L;

    /**
     * An independent, coarse check against /proc/uptime. The uptime read is bracketed by two
     * wall-clock reads, so a stall anywhere (a loaded CI machine) widens the bracket instead of
     * failing the test; only a wrong offset falls outside it.
     */
    @Test
    void offsetAgreesWithProcUptime() throws IOException {
        long offset = new LiveBootClock().bootToWallOffsetNanos();
        long wallBefore = wallNanos();
        long uptimeNanos = new BigDecimal(Files.readString(Path.of("/proc/uptime")).split(" ")[0])
                .movePointRight(9).longValueExact();
        long wallAfter = wallNanos();

        long lowest = wallBefore - uptimeNanos - UPTIME_RESOLUTION_NANOS;
        long highest = wallAfter - uptimeNanos + UPTIME_RESOLUTION_NANOS;
        assertTrue(offset >= lowest - UPTIME_RESOLUTION_NANOS && offset <= highest,
                "offset " + offset + " outside [" + lowest + ", " + highest + "]");
    }

    private static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
