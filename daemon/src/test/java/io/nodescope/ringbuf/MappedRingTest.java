package io.nodescope.ringbuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The failures a caller can cause, reported before or by mmap; no BPF map needed. */
class MappedRingTest {
    @Test
    void sizeThatIsNotAPowerOfTwoIsRefusedWithTheRingsName() {
        IOException e = assertThrows(IOException.class, () -> MappedRing.map("oom", 0, 3 * 4096));

        assertTrue(e.getMessage().startsWith("ring oom: size 12288 is not a power of two"), e.getMessage());
    }

    @Test
    void sizeBeyondWhatAByteBufferCanViewIsRefused() {
        IOException e = assertThrows(IOException.class, () -> MappedRing.map("oom", 0, 1 << 30));

        assertTrue(e.getMessage().contains("lower the map's max_entries"), e.getMessage());
    }

    @Test
    void badFdIsAnIoExceptionNamingTheFd() {
        IOException e = assertThrows(IOException.class, () -> MappedRing.map("oom", -1, 4096));

        assertTrue(e.getMessage().startsWith("ring oom: mmap of map fd -1"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
