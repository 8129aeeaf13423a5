package io.nodescope.module.oom.incident;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stall is the "some" total growing between two looks. The file is written by the test in
 * /proc/pressure/memory's format: a real stall cannot be caused on demand here.
 */
class NodeMemoryPressureTest {
    private static String pressure(long someTotal, long fullTotal) {
        return "some avg10=0.00 avg60=0.00 avg300=0.00 total=" + someTotal + "\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=" + fullTotal + "\n";
    }

    @Test
    void aGrowingSomeTotalIsAStallAndTheFirstLookIsNot(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("memory");
        NodeMemoryPressure pressure = new NodeMemoryPressure(file);
        Files.writeString(file, pressure(100, 50));
        assertFalse(pressure.stalledSinceLastCall(), "nothing to compare with yet");
        Files.writeString(file, pressure(100, 90));
        assertFalse(pressure.stalledSinceLastCall(), "only full grew: some did not");
        Files.writeString(file, pressure(250, 90));
        assertTrue(pressure.stalledSinceLastCall());
        assertFalse(pressure.stalledSinceLastCall());
    }

    @Test
    void withoutPsiThereIsNeverAStall(@TempDir Path directory) {
        NodeMemoryPressure pressure = new NodeMemoryPressure(directory.resolve("absent"));
        assertFalse(pressure.stalledSinceLastCall());
        assertFalse(pressure.stalledSinceLastCall());
    }
}
