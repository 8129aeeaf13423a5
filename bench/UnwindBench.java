// Unwinder benchmark (make bench-unwind; not a test). bench/unwind-bench.sh compiles it against the
// jar and the test classes (it reads package-private tables and uses the tests' gdb capture), as root.
//
// Workload: the unwind tests' program in "arena" mode, 8 threads contending for one malloc arena.
// Snapshots: gdb stops it CAPTURES times and writes each thread's registers and 16 KiB of stack with
// its own backtrace (daemon/src/test/resources/symbol/unwind/gdb-capture.py).
//  accuracy   stacks whose unwound pcs equal gdb's, frame for frame
//  warm       frames/s unwinding those snapshots over and over on one thread, tables cached
//  tables     ms to build the unwind table of libc and of the JDK's libjvm.so from the mapped file
//             (the page cache holds both); the first build, which also compiles the parser, is left out
//  perf       perf record --call-graph dwarf on the same workload (8 KiB stack per sample), perf
//             script --no-inline -F ip: frames/s of the marginal samples, (frames of a 5 s record -
//             frames of a 1 s one) / (CPU time of its perf script - CPU time of the 1 s one's), so
//             perf's start-up and file loading cancel out. perf script names nothing with -F ip,
//             but still reads the maps and ELF files; it unwinds with libdw or libunwind.
// Every figure is the median of RUNS runs.
package io.nodescope.symbol;

import io.nodescope.metrics.MetricsRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

public class UnwindBench {
    static final int CAPTURES = 10;
    static final int RUNS = 5;
    static final long WARM_NANOS = 2_000_000_000L;
    /** Times are the bench thread's CPU time: the VM's two cores are shared, wall time says more about the neighbours. */
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    interface Measurement {
        double run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Symbolizer symbolizer = Symbolizer.create(Path.of("/proc"), new MetricsRegistry());
        Process workload = UnwindTestProgram.start("arena", "ready");
        try (ProcessSnapshot snapshot = symbolizer.snapshot((int) workload.pid())) {
            List<GdbCapture.ThreadState> threads = new ArrayList<>();
            for (int i = 0; i < CAPTURES; i++) {
                threads.addAll(GdbCapture.attach(workload.pid()));
            }
            int identical = 0;
            long frames = 0;
            for (GdbCapture.ThreadState thread : threads) {
                UnwoundStack unwound = symbolizer.unwindUser(snapshot, thread.stack());
                identical += unwound.addresses().equals(thread.gdbPcs()) ? 1 : 0;
                frames += unwound.addresses().size();
            }
            System.out.printf("unwind bench: %d snapshots (%d threads x %d gdb captures), %.1f frames each, median of %d runs%n",
                    threads.size(), threads.size() / CAPTURES, CAPTURES, (double) frames / threads.size(), RUNS);
            System.out.printf("accuracy         %d of %d stacks identical to gdb's bt%n", identical, threads.size());
            double warm = median(() -> warmFramesPerSecond(symbolizer, snapshot, threads));
            System.out.printf("warm unwinding   %,.0f frames/s (one thread)%n", warm);
            double perf = median(() -> perfFramesPerSecond(workload.pid()));
            System.out.printf("perf script      %,.0f frames/s (marginal, CPU time)   nodescope/perf %.1fx%n", perf, warm / perf);
        } finally {
            workload.destroyForcibly().waitFor();
        }
        Path libc = Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6");
        Path libjvm = ProcessHandle.current().info().command().map(Path::of).orElseThrow()
                .getParent().getParent().resolve("lib/server/libjvm.so").toRealPath();
        for (Path file : List.of(libc, libjvm)) {
            UnwindTable table = UnwindTable.build(ElfFile.parse(MappedFiles.map(file)), Optional.empty());
            tableMillis(file); // The first build also compiles the parser: the daemon pays that once.
            double millis = median(() -> tableMillis(file));
            System.out.printf("table %-10s %6.1f ms   %,d rows, %,d distinct rule sets, %,d KiB heap%n",
                    file.getFileName(), millis, table.rowCount(), table.distinctRules(), table.retainedBytes() >> 10);
        }
    }

    static double warmFramesPerSecond(Symbolizer symbolizer, ProcessSnapshot snapshot,
                                      List<GdbCapture.ThreadState> threads) {
        long frames = 0;
        long start = THREADS.getCurrentThreadCpuTime();
        long elapsed;
        do {
            for (GdbCapture.ThreadState thread : threads) {
                frames += symbolizer.unwindUser(snapshot, thread.stack()).addresses().size();
            }
            elapsed = THREADS.getCurrentThreadCpuTime() - start;
        } while (elapsed < WARM_NANOS);
        return frames * 1e9 / elapsed;
    }

    static double tableMillis(Path file) throws Exception {
        long start = THREADS.getCurrentThreadCpuTime();
        UnwindTable.build(ElfFile.parse(MappedFiles.map(file)), Optional.empty());
        return (THREADS.getCurrentThreadCpuTime() - start) / 1e6;
    }

    static double perfFramesPerSecond(long pid) throws Exception {
        Path directory = Files.createTempDirectory("unwind-bench-perf");
        try {
            long[] shortRun = perfScript(pid, directory.resolve("short.data"), 1);
            long[] longRun = perfScript(pid, directory.resolve("long.data"), 5);
            return (longRun[0] - shortRun[0]) * 1e9 / (longRun[1] - shortRun[1]);
        } finally {
            try (var files = Files.list(directory)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(directory);
        }
    }

    /** Records the workload for some seconds; returns {frames perf script printed, its CPU nanos}. */
    static long[] perfScript(long pid, Path data, int seconds) throws Exception {
        run(List.of("perf", "record", "-q", "--call-graph", "dwarf", "-F", "999", "-p", Long.toString(pid),
                "-o", data.toString(), "--", "sleep", Integer.toString(seconds)));
        Path script = Path.of(data + ".txt");
        // CPU time (bash's times: the children's user and system time), not wall time: perf script's
        // wall time varies by hundreds of ms from run to run on this VM, its CPU time does not.
        String times = run(List.of("bash", "-c", "perf script -i " + data + " -F ip --no-inline > " + script
                + " 2>/dev/null; times"));
        String[] children = times.strip().lines().toList().getLast().split("\\s+");
        long cpuNanos = seconds(children[0]) + seconds(children[1]);
        return new long[] {Files.readAllLines(script).stream().filter(line -> !line.isBlank()).count(), cpuNanos};
    }

    /** "0m0.060s" as nanoseconds. */
    static long seconds(String time) {
        int minutes = time.indexOf('m');
        return (long) ((Long.parseLong(time.substring(0, minutes)) * 60
                + Double.parseDouble(time.substring(minutes + 1, time.length() - 1))) * 1e9);
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed");
        }
        return output;
    }

    static double median(Measurement measurement) throws Exception {
        double[] values = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            values[i] = measurement.run();
        }
        Arrays.sort(values);
        return values[RUNS / 2];
    }
}
