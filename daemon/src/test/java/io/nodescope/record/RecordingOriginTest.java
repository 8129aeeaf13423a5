package io.nodescope.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecordingOriginTest {
    @Test
    void namesThisNodeAndItsKernel() throws IOException {
        RecordingOrigin origin = RecordingOrigin.ofThisNode();
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), origin.hostname());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(), origin.kernelRelease());
    }

    /** /proc/uptime is CLOCK_BOOTTIME in centiseconds: a coarse but independent check. */
    @Test
    void offsetAgreesWithProcUptime() throws IOException {
        long offset = RecordingOrigin.currentBootToWallOffsetNanos();
        Instant now = Instant.now();
        long uptimeNanos = new BigDecimal(Files.readString(Path.of("/proc/uptime")).split(" ")[0])
                .movePointRight(9).longValueExact();
        long wallNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();

        long disagreement = Math.abs(wallNanos - uptimeNanos - offset);
        assertTrue(disagreement < 100_000_000L, "offset off by " + disagreement + " ns");
    }
}
