package io.nodescope.symbol;

import io.nodescope.event.StackMappings;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.metrics.MetricsRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The symbolize stage's entry point: kernel and user stacks to {@link Frame}s. Thread-safe; one per
 * daemon. User stacks are symbolized in two steps because of the exit race (see {@link Snapshotter}):
 * {@link #snapshot} when the event arrives, {@link #symbolizeUser} whenever convenient after.
 */
public final class Symbolizer implements AutoCloseable {
    /**
     * Heap for indexed modules, per cache (the two mostly share their entries); libjvm.so's index is
     * ~2 MB, a typical library's a few KB. An eighth of the heap bound: 16 MB under
     * deploy/jvm.options' -Xmx128m, where the idle daemon holds ~25 MB and a full export queue ~15 MB.
     */
    static final long MODULE_CACHE_BYTES = shareOfHeap(256L << 20, 8, Runtime.getRuntime().maxMemory());
    /** Perf maps are reparsed when they grow, so this holds few live versions. */
    static final long PERF_MAP_CACHE_BYTES = shareOfHeap(64L << 20, 16, Runtime.getRuntime().maxMemory());

    private final Snapshotter snapshotter;
    private final UserSymbolizer user;
    private final KernelSymbolizer kernel;
    private final StackUnwinder unwinder;

    private Symbolizer(Snapshotter snapshotter, UserSymbolizer user, KernelSymbolizer kernel, StackUnwinder unwinder) {
        this.snapshotter = snapshotter;
        this.user = user;
        this.kernel = kernel;
        this.unwinder = unwinder;
    }

    /**
     * A cache's bound: at most {@code most}, and no more than 1/{@code divisor} of the heap, so a
     * bounded heap fills its caches and evicts instead of failing with OutOfMemoryError.
     */
    static long shareOfHeap(long most, int divisor, long maxHeapBytes) {
        return Math.min(most, maxHeapBytes / divisor);
    }

    /** @param procRoot /proc, or a fake tree in tests */
    public static Symbolizer create(Path procRoot, MetricsRegistry metrics) {
        return create(procRoot, Path.of("/"), metrics);
    }

    /** @param hostRoot the daemon's own filesystem root, searched for debug files after the process's */
    static Symbolizer create(Path procRoot, Path hostRoot, MetricsRegistry metrics) {
        SymbolFailures failures = new SymbolFailures(metrics);
        WeightedLruCache<FileIdentity, ModuleSymbols> modulesByFile = new WeightedLruCache<>("module_by_file",
                MODULE_CACHE_BYTES, ModuleSymbols::retainedBytes, metrics);
        // Shares one index among the copies of a file in many container images (same build-id, other inodes).
        WeightedLruCache<String, ModuleSymbols> modulesByBuildId = new WeightedLruCache<>("module_by_build_id",
                MODULE_CACHE_BYTES, ModuleSymbols::retainedBytes, metrics);
        WeightedLruCache<FileIdentity, SymbolTable> perfMaps = new WeightedLruCache<>("perf_map",
                PERF_MAP_CACHE_BYTES, SymbolTable::retainedBytes, metrics);
        DebugFileLocator debugFiles = new DebugFileLocator(new DebugFileLocator.CandidateFailures() {
            @Override
            public void unreadable(Path candidate, IOException cause) {
                failures.unreadable(candidate, cause);
            }

            @Override
            public void malformed(Path candidate, MalformedSymbolDataException cause) {
                failures.malformed(candidate.toString(), cause);
            }
        });
        UserSymbolizer user = new UserSymbolizer(new ModuleIndexer(debugFiles, failures), modulesByFile,
                modulesByBuildId, perfMaps, failures);
        return new Symbolizer(new Snapshotter(procRoot, hostRoot, modulesByFile, failures), user,
                new KernelSymbolizer(procRoot, failures),
                new StackUnwinder(user, new UnwindTables(metrics, failures)));
    }

    /**
     * Captures /proc/PID/maps and opens the mapped files (through /proc/PID/map_files or /proc/PID/root,
     * so container files are reached) NOW, while the process lives; symbolize later. Never throws: a
     * process already gone gives a snapshot whose frames keep bare addresses.
     */
    public ProcessSnapshot snapshot(int pid) {
        return snapshotter.snapshot(pid);
    }

    /**
     * For a process gone before {@link #snapshot} could read it: the files its frames lay in, as the
     * kernel located them at the event, found again on the host (checked by device and inode).
     */
    public ProcessSnapshot snapshotFromKernelFiles(int pid, List<Long> addresses, UserFrameFiles frameFiles) {
        return snapshotter.fromKernelFiles(pid, addresses, frameFiles);
    }

    /**
     * For unwinding a stack captured at an event: the executable mappings the kernel recorded with
     * it, found on the host, completed by the live snapshot's regions (taken at arrival) where the
     * kernel recorded nothing. Borrows from live: close the result first.
     */
    public ProcessSnapshot snapshotWithStackMappings(int pid, StackMappings mappings, Optional<ProcessSnapshot> live) {
        return snapshotter.withStackMappings(pid, mappings, live);
    }

    /**
     * One frame per address of a stack, innermost first (the first is a pc, the others return
     * addresses, named by their call); an address that cannot be named keeps its module and offset.
     * Where calls were inlined at an address, its frame names the physical function (the one holding
     * the code) at the innermost source line.
     */
    public List<Frame> symbolizeUser(ProcessSnapshot snapshot, List<Long> addresses) {
        return user.symbolize(snapshot, addresses);
    }

    /**
     * One frame list per address, in order, innermost first: the calls the compiler inlined at the
     * address (where the module's table records them: Go's pclntab with its symbol table), then the
     * physical function at the outermost call's line, as {@code addr2line -i} prints them.
     */
    public List<List<Frame>> symbolizeUserWithInlinedFrames(ProcessSnapshot snapshot, List<Long> addresses) {
        return user.symbolizeInlined(snapshot, addresses);
    }

    /**
     * The user stack's frames from its registers and stack copy, through the call frame information
     * of the files the snapshot's regions map (frame pointers where there is none). Name the frames
     * with {@link #symbolizeUnwound}. Never throws; bounded
     * to {@link StackUnwinder#MAX_FRAMES} frames whatever the input.
     */
    public UnwoundStack unwindUser(ProcessSnapshot snapshot, UserStack stack) {
        return unwinder.unwind(snapshot, stack);
    }

    /**
     * An unwound stack's frames, one list per frame as {@link #symbolizeUserWithInlinedFrames}: each
     * shows its address and is named at the unwinder's lookup address (a signal-interrupted frame and
     * __restore_rt at their pc, other callers inside their call).
     */
    public List<List<Frame>> symbolizeUnwound(ProcessSnapshot snapshot, UnwoundStack stack) {
        return user.symbolizeInlined(snapshot, stack.addresses(), stack.lookupAddresses());
    }

    /**
     * The frames of a kernel stack taken by a nodescope BPF program, innermost first, from
     * /proc/kallsyms; callers named by their call, the tracer's own frames left out.
     */
    public List<Frame> symbolizeKernel(List<Long> addresses) {
        return kernel.symbolize(addresses);
    }

    /**
     * Nothing to release today: the caches hold heap and read-only mappings the garbage collector
     * frees, and open files live in the {@link ProcessSnapshot}s, which their owners close.
     */
    @Override
    public void close() {
    }
}
