package io.nodescope.module.oom.incident;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether tasks on this node stalled on memory since the last look: the "some" total of
 * /proc/pressure/memory grew. cgroup v1 has no per-cgroup pressure, so the node's stands in.
 * Without PSI (psi=0) it never reports a stall.
 */
final class NodeMemoryPressure {
    static final Path PROC_PRESSURE_MEMORY = Path.of("/proc/pressure/memory");

    private final Path file;
    private long lastStallMicros = -1;

    NodeMemoryPressure(Path file) {
        this.file = file;
    }

    /** Not thread-safe: the sampler's tick is its only caller. */
    boolean stalledSinceLastCall() {
        long total = someTotalMicros();
        boolean stalled = lastStallMicros >= 0 && total > lastStallMicros;
        lastStallMicros = total;
        return stalled;
    }

    /** "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345": total, in microseconds. */
    private long someTotalMicros() {
        try {
            for (String line : Files.readAllLines(file)) {
                int total = line.indexOf("total=");
                if (line.startsWith("some ") && total > 0) {
                    return Long.parseLong(line.substring(total + "total=".length()).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // No PSI here: no stall to report.
        }
        return lastStallMicros;
    }
}
