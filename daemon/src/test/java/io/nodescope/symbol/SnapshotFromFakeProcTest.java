package io.nodescope.symbol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nodescope.metrics.MetricsRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A containerized JIT process as a fake /proc tree: its perf map lives in its own /tmp under its own pid. */
class SnapshotFromFakeProcTest {
    private static final int HOST_PID = 4242;
    private static final int CONTAINER_PID = 7;

    @TempDir
    Path proc;

    private final MetricsRegistry metrics = new MetricsRegistry();

    private void fakeProcess(String maps, String perfMap) throws IOException {
        Path process = Files.createDirectories(proc.resolve(Integer.toString(HOST_PID)));
        Files.writeString(process.resolve("maps"), maps);
        Files.writeString(process.resolve("status"), "Name:\tjava\nNSpid:\t" + HOST_PID + "\t" + CONTAINER_PID + "\n");
        Path tmp = Files.createDirectories(process.resolve("root/tmp"));
        Files.writeString(tmp.resolve("perf-" + CONTAINER_PID + ".map"), perfMap);
    }

    @Test
    void jitFramesResolveThroughThePerfMapInsideTheProcessRoot() throws IOException {
        fakeProcess("""
                7f0000000000-7f0000100000 rwxp 00000000 00:00 0
                7fff00000000-7fff00021000 rw-p 00000000 00:00 0                          [stack]
                """, """
                7f0000001000 40 Interpreter
                0x7f0000002000 0x100 Lcom/example/Allocator;::grow
                garbage line
                7f0000002000 80 Lcom/example/Allocator;::grow (recompiled)
                """);
        Symbolizer symbolizer = Symbolizer.create(proc, metrics);
        try (ProcessSnapshot snapshot = symbolizer.snapshot(HOST_PID)) {
            List<Frame> frames = symbolizer.symbolizeUser(snapshot,
                    List.of(0x7f0000001010L, 0x7f0000002010L, 0x7f0000003000L, 0x1234L));
            assertEquals("Interpreter+0x10 (/tmp/perf-7.map+0x7f0000001010)", frames.get(0).toStackLine());
            assertEquals(Optional.of("Lcom/example/Allocator;::grow (recompiled)"), frames.get(1).function(),
                    "the later line for an address wins");
            assertEquals(Optional.empty(), frames.get(2).function(), "past the recompiled method's 0x80 bytes");
            assertEquals("0x1234", frames.get(3).toStackLine(), "an address outside every region keeps its value");
        }
        assertEquals(4, List.of(metrics.renderPrometheusText().split("\n")).stream()
                .filter(l -> l.startsWith("nodescope_symbol_frames_total")).mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum());
    }

    @Test
    void aProcessGoneBeforeItsSnapshotKeepsBareAddresses() {
        Symbolizer symbolizer = Symbolizer.create(proc, metrics);
        ProcessSnapshot snapshot = symbolizer.snapshot(99999);
        assertEquals(0, snapshot.executableRegionCount());
        assertEquals("0x401000", symbolizer.symbolizeUser(snapshot, List.of(0x401000L)).get(0).toStackLine());
    }
}
