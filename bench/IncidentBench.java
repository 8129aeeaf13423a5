// OOM incident sampler benchmark (make bench-incident; not a test). Run as root from the repository
// root: java -cp daemon/target/nodescope.jar bench/IncidentBench.java
//
// The target: with 200 memory cgroups near their limits and 2,000 idle ones, the history
// costs under 1% of one core and under 20 MB. Builds that tree under a fresh v1 memory cgroup (the
// near ones hold 0.9 of their 1 MiB limit in page cache, written from inside; the idle ones are empty
// with a 64 MiB limit), then drives nodescope's MemcgSampler over it with its clock stepped one second
// per tick, as fast as it runs: 5 minutes of ticks to fill the 5-minute window, then 5 more measured.
// CPU: the sampling thread's CPU time per simulated second, median over the measured ticks and in
// total. Memory: the heap held by the history after a full GC, and samples x 96 bytes. There is no
// peer tool for this here: the figures are absolute.
import io.nodescope.module.oom.incident.MemcgHistory;
import io.nodescope.module.oom.incident.MemcgSampler;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

public class IncidentBench {
    static final int NEAR = 200;
    static final int IDLE = 2000;
    static final Duration WINDOW = Duration.ofMinutes(5);
    static final int FILL_TICKS = 300;
    static final int MEASURED_TICKS = 300;
    static final long SECOND = 1_000_000_000L;

    public static void main(String[] args) throws Exception {
        Path hierarchy = Path.of("/sys/fs/cgroup/memory");
        if (!Files.isDirectory(hierarchy)) {
            System.err.println("incident-bench: needs the cgroup v1 memory hierarchy at " + hierarchy + " and root");
            System.exit(1);
        }
        Path root = hierarchy.resolve("nodescope-bench-incident-" + ProcessHandle.current().pid());
        Path files = Files.createTempDirectory("nodescope-bench-incident");
        Files.createDirectory(root);
        try {
            build(root, files);
            measure(root);
        } finally {
            cleanUp(root, files);
        }
    }

    static void build(Path root, Path files) throws Exception {
        for (int i = 0; i < NEAR; i++) {
            Path cgroup = Files.createDirectory(root.resolve("near-" + i));
            Files.writeString(cgroup.resolve("memory.limit_in_bytes"), String.valueOf(4L << 20));
            Process dd = new ProcessBuilder("sh", "-c", "echo $$ > \"$0\" && exec dd if=/dev/zero of=\"$1\" bs=4k "
                    + "count=900 conv=fsync status=none", cgroup.resolve("cgroup.procs").toString(),
                    files.resolve("f" + i).toString()).inheritIO().start();
            if (dd.waitFor() != 0) {
                throw new IllegalStateException("dd failed in " + cgroup);
            }
        }
        for (int i = 0; i < IDLE; i++) {
            Path cgroup = Files.createDirectory(root.resolve("idle-" + i));
            Files.writeString(cgroup.resolve("memory.limit_in_bytes"), String.valueOf(64L << 20));
        }
    }

    static void measure(Path root) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.gc();
        long heapBefore = usedHeap();
        MemcgHistory history = new MemcgHistory(WINDOW.toNanos(), 150_000);
        AtomicLong clock = new AtomicLong(0);
        // The daemon's defaults.
        MemcgSampler sampler = new MemcgSampler(root, false, history, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(30), WINDOW, 4096, clock::get);
        long[] tickCpu = new long[MEASURED_TICKS];
        for (int tick = 0; tick < FILL_TICKS + MEASURED_TICKS; tick++) {
            clock.set(tick * SECOND);
            long cpu = threads.getCurrentThreadCpuTime();
            sampler.run();
            if (tick >= FILL_TICKS) {
                tickCpu[tick - FILL_TICKS] = threads.getCurrentThreadCpuTime() - cpu;
            }
        }
        System.gc();
        long heapHeld = usedHeap() - heapBefore;
        long[] sorted = tickCpu.clone();
        Arrays.sort(sorted);
        long total = Arrays.stream(tickCpu).sum();
        int dense = (int) Stream.iterate(0, i -> i + 1).limit(NEAR).filter(i -> {
            try {
                long id = ((Number) Files.getAttribute(root.resolve("near-" + i), "unix:ino")).longValue();
                List<?> samples = history.window(id, clock.get());
                return samples.size() >= 250; // sampled about every second over the window
            } catch (IOException e) {
                return false;
            }
        }).count();
        System.out.printf("cgroups: %d near their limit (%d of them sampled every second), %d idle%n", NEAR, dense, IDLE);
        System.out.printf("CPU per simulated second: median %.2f ms, mean %.2f ms = %.2f%% of one core%n",
                sorted[sorted.length / 2] / 1e6, total / 1e6 / MEASURED_TICKS, total / 1e7 / MEASURED_TICKS);
        System.out.printf("history: %d samples in %d cgroups = %.1f MB at %d bytes a sample; heap held after GC: %.1f MB%n",
                history.samples(), history.cgroups(), history.samples() * (double) MemcgHistory.SAMPLE_BYTES / 1e6,
                MemcgHistory.SAMPLE_BYTES, heapHeld / 1e6);
        // Keep the history reachable until measured.
        if (history.samples() < 0) {
            System.out.println(history);
        }
    }

    static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static void cleanUp(Path root, Path files) throws IOException {
        try (Stream<Path> children = Files.list(root)) {
            for (Path child : children.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(child);
            }
        }
        Files.delete(root);
        try (Stream<Path> written = Files.list(files)) {
            for (Path file : written.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(files);
    }
}
