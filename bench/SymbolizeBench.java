// Symbolizer benchmark (make bench-symbolize; not a test). Run from the repository root:
//   java -cp daemon/target/nodescope.jar bench/SymbolizeBench.java
// Compares nodescope's Symbolizer with llvm-symbolizer (interactive: addresses on stdin) and addr2line
// on the same addresses in the same files: libc and the running JDK's libjvm.so, both mapped into this
// JVM, so nodescope resolves them through a real /proc snapshot of this very process.
//
// warm: function-name lookups per second once the file is indexed. For the external tools, whose
// process start and indexing cannot be separated from their answers, warm time = time(2N addresses)
// - time(N addresses): the second N are answered from a warm index.
// cold: open, index and answer one address. nodescope: a fresh Symbolizer per run (its caches are per
// instance); the file is in the page cache for every tool alike.
import io.nodescope.metrics.MetricsRegistry;
import io.nodescope.symbol.Frame;
import io.nodescope.symbol.ProcessSnapshot;
import io.nodescope.symbol.Symbolizer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

public class SymbolizeBench {
    static final int ADDRESSES = 20_000;
    static final int RUNS = 5;
    static final Path PROC = Path.of("/proc");

    record Library(String label, Path file, long loadBias, List<Long> elfAddresses) {}

    public static void main(String[] args) throws Exception {
        String libjvm = ProcessHandle.current().info().command().map(Path::of).orElseThrow()
                .getParent().getParent().resolve("lib/server/libjvm.so").toRealPath().toString();
        List<Library> libraries = List.of(library("libc", "/libc.so.6"), library("libjvm.so", libjvm));
        // The daemon's first event meets an unwarmed JIT; every later cold index runs compiled code.
        double firstColdMillis = coldMillis(libraries.get(1));
        String llvm = Files.exists(Path.of("/usr/bin/llvm-symbolizer-14")) ? "/usr/bin/llvm-symbolizer-14" : "llvm-symbolizer";
        System.out.printf("symbolize bench: %d addresses per library, median of %d runs%n", ADDRESSES, RUNS);
        for (Library library : libraries) {
            System.out.printf("%n== %s (%s, %d MB)%n", library.label(), library.file(), Files.size(library.file()) >> 20);
            double ours = median(() -> warmLookupsPerSecond(library));
            double llvmWarm = median(() -> externalWarmLookupsPerSecond(library, llvmCommand(llvm, library), ADDRESSES));
            // addr2line answers ~2,000/s on libjvm.so: a tenth of the addresses keeps the bench to minutes.
            double addr2line = median(() -> externalWarmLookupsPerSecond(library, addr2lineCommand(library), ADDRESSES / 10));
            System.out.printf("warm lookups/s   nodescope %,12.0f   llvm-symbolizer %,12.0f   addr2line %,12.0f%n",
                    ours, llvmWarm, addr2line);
            System.out.printf("warm ratio       nodescope/llvm-symbolizer %.2fx   nodescope/addr2line %.2fx%n",
                    ours / llvmWarm, ours / addr2line);
            double coldOurs = median(() -> coldMillis(library));
            double coldLlvm = median(() -> externalSeconds(llvmCommand(llvm, library), addressLines(library, 1)) * 1000);
            System.out.printf("cold first answer ms   nodescope %.1f   llvm-symbolizer %.1f   ratio %.2fx%n",
                    coldOurs, coldLlvm, coldOurs / coldLlvm);
            if (library == libraries.get(1)) {
                System.out.printf("cold, first index in this JVM (JIT not warm yet): nodescope %.1f ms, ratio %.2fx%n",
                        firstColdMillis, firstColdMillis / coldLlvm);
            }
        }
    }

    interface Measurement {
        double run() throws Exception;
    }

    static double median(Measurement measurement) throws Exception {
        double[] results = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            results[i] = measurement.run();
        }
        Arrays.sort(results);
        return results[RUNS / 2];
    }

    /** A library this JVM maps, its load bias from /proc/self/maps, and function addresses from nm. */
    static Library library(String label, String pathSuffix) throws Exception {
        String maps = Files.readString(Path.of("/proc/self/maps"));
        for (String line : maps.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 6 && fields[5].endsWith(pathSuffix) && Long.parseLong(fields[2], 16) == 0) {
                long start = Long.parseUnsignedLong(fields[0].substring(0, fields[0].indexOf('-')), 16);
                Path file = Path.of(fields[5]);
                return new Library(label, file, start, functionAddresses(file));
            }
        }
        throw new IllegalStateException(pathSuffix + " is not mapped into this JVM");
    }

    /** Random addresses inside defined functions (nm -S; .dynsym when there is no .symtab), fixed seed. */
    static List<Long> functionAddresses(Path file) throws Exception {
        List<long[]> functions = new ArrayList<>();
        for (String option : List.of("--defined-only", "-D")) {
            String nm = run(List.of("nm", "-S", option, file.toString()), "");
            for (String line : nm.split("\n")) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length == 4 && "tTiW".contains(fields[2])) {
                    functions.add(new long[] {Long.parseUnsignedLong(fields[0], 16), Long.parseUnsignedLong(fields[1], 16)});
                }
            }
            if (!functions.isEmpty()) {
                break;
            }
        }
        Random random = new Random(42);
        List<Long> addresses = new ArrayList<>(ADDRESSES);
        while (addresses.size() < ADDRESSES) {
            long[] function = functions.get(random.nextInt(functions.size()));
            if (function[1] > 0) {
                addresses.add(function[0] + random.nextLong(function[1]));
            }
        }
        return addresses;
    }

    static double warmLookupsPerSecond(Library library) {
        try (Symbolizer symbolizer = Symbolizer.create(PROC, new MetricsRegistry());
             ProcessSnapshot snapshot = symbolizer.snapshot((int) ProcessHandle.current().pid())) {
            List<Long> runtime = library.elfAddresses().stream().map(a -> a + library.loadBias()).toList();
            List<Frame> frames = symbolizer.symbolizeUser(snapshot, runtime); // Index and warm up.
            long named = frames.stream().filter(f -> f.function().isPresent()).count();
            if (named < runtime.size() * 9 / 10) {
                throw new IllegalStateException("only " + named + " of " + runtime.size() + " addresses named");
            }
            int rounds = 20;
            long start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                symbolizer.symbolizeUser(snapshot, runtime);
            }
            return rounds * (double) runtime.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    static double coldMillis(Library library) {
        long start = System.nanoTime();
        try (Symbolizer symbolizer = Symbolizer.create(PROC, new MetricsRegistry());
             ProcessSnapshot snapshot = symbolizer.snapshot((int) ProcessHandle.current().pid())) {
            Frame frame = symbolizer.symbolizeUser(snapshot, List.of(library.elfAddresses().get(0) + library.loadBias())).get(0);
            if (frame.function().isEmpty()) {
                throw new IllegalStateException("cold lookup found no name: " + frame.toStackLine());
            }
        }
        return (System.nanoTime() - start) / 1e6;
    }

    static List<String> llvmCommand(String llvm, Library library) {
        return List.of(llvm, "--obj=" + library.file(), "--functions=linkage", "--demangle", "--no-inlines");
    }

    static List<String> addr2lineCommand(Library library) {
        return List.of("addr2line", "-f", "-C", "-e", library.file().toString());
    }

    static String addressLines(Library library, int count) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < count; i++) {
            lines.append("0x").append(Long.toHexString(library.elfAddresses().get(i % ADDRESSES))).append('\n');
        }
        return lines.toString();
    }

    static double externalWarmLookupsPerSecond(Library library, List<String> command, int count) throws Exception {
        double once = externalSeconds(command, addressLines(library, count));
        double twice = externalSeconds(command, addressLines(library, 2 * count));
        return count / (twice - once);
    }

    static double externalSeconds(List<String> command, String stdin) throws Exception {
        long start = System.nanoTime();
        run(command, stdin);
        return (System.nanoTime() - start) / 1e9;
    }

    static String run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread writer = Thread.ofVirtual().start(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        writer.join();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " failed");
        }
        return output;
    }
}
