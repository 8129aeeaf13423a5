package io.nodescope.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nodescope.proc.LiveBootClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RecordingOriginTest {
    @Test
    void namesThisNodeAndItsKernel() throws IOException {
        RecordingOrigin origin = RecordingOrigin.ofThisNode(new LiveBootClock());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), origin.hostname());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(), origin.kernelRelease());
    }
}
