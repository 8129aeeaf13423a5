package io.nodescope.proc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LiveBootClockTest {
    /** /proc/uptime is CLOCK_BOOTTIME in centiseconds: a coarse but independent check. */
    @Test
    void offsetAgreesWithProcUptime() throws IOException {
        long offset = new LiveBootClock().bootToWallOffsetNanos();
        Instant now = Instant.now();
        long uptimeNanos = new BigDecimal(Files.readString(Path.of("/proc/uptime")).split(" ")[0])
                .movePointRight(9).longValueExact();
        long wallNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();

        long disagreement = Math.abs(wallNanos - uptimeNanos - offset);
        assertTrue(disagreement < 100_000_000L, "offset off by " + disagreement + " ns");
    }
}
