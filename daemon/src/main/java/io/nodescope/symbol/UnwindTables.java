package io.nodescope.symbol;

import io.nodescope.metrics.MetricsRegistry;
import java.util.Optional;

/**
 * The {@link UnwindTable} of each mapped file, built on first use and cached by build-id (one table
 * for the copies of a library in many container images) and by file identity (for files without a
 * build-id), within a heap bound. A file whose call frame information is damaged gets an empty
 * table, cached too, so it is neither reparsed per stack nor fatal: its frames fall back to frame
 * pointers.
 */
final class UnwindTables {
    /** Per cache; libjvm.so's table weighs 2.2 MiB, libc's 384 KiB (make bench-unwind). */
    static final long CACHE_BYTES = 128L << 20;

    private final WeightedLruCache<String, UnwindTable> byBuildId;
    private final WeightedLruCache<FileIdentity, UnwindTable> byFile;
    private final SymbolFailures failures;

    UnwindTables(MetricsRegistry metrics, SymbolFailures failures) {
        this.byBuildId = new WeightedLruCache<>("unwind_by_build_id", CACHE_BYTES, UnwindTable::retainedBytes, metrics);
        this.byFile = new WeightedLruCache<>("unwind_by_file", CACHE_BYTES, UnwindTable::retainedBytes, metrics);
        this.failures = failures;
    }

    UnwindTable of(FileIdentity file, ModuleSymbols module) {
        Optional<UnwindTable> cached = module.buildId().isPresent()
                ? byBuildId.get(module.buildId().get()) : byFile.get(file);
        if (cached.isPresent()) {
            return cached.get();
        }
        UnwindTable table = build(module);
        if (module.buildId().isPresent()) {
            byBuildId.put(module.buildId().get(), table);
        } else {
            byFile.put(file, table);
        }
        return table;
    }

    private UnwindTable build(ModuleSymbols module) {
        try {
            return UnwindTable.build(module.binary(), module.debugFile());
        } catch (MalformedSymbolDataException e) {
            failures.malformed(describe(module), e);
        } catch (RuntimeException e) {
            failures.unexpected(describe(module), e);
        }
        return UnwindTable.EMPTY;
    }

    private static String describe(ModuleSymbols module) {
        return "call frame information of build-id " + module.buildId().orElse("(none)");
    }
}
