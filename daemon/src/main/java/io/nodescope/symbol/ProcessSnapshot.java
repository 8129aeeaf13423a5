package io.nodescope.symbol;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * A process's executable memory map and its mapped files, captured while the process lived, to be
 * symbolized afterwards. Holds open the files not yet indexed; {@link #close} releases them (the
 * symbolizer releases each one as soon as it has indexed it, so a symbolized snapshot holds nothing).
 */
public final class ProcessSnapshot implements AutoCloseable {
    private final int pid;
    private final List<SnapshotRegion> regions;
    /** The regions whose files this snapshot closes: all but those borrowed from another snapshot. */
    private final List<SnapshotRegion> ownedRegions;
    private final Optional<PinnedFile<SymbolTable>> ownedPerfMap;
    private final Optional<PinnedFile<SymbolTable>> perfMap;
    private final String perfMapName;
    private final List<Path> debugFileRoots;
    /** Per region, its unwind table and load bias, resolved by the first stack unwound through it. */
    private final AtomicReferenceArray<UnwindRegion> unwindRegions;

    /** @param regions executable regions, sorted by start */
    ProcessSnapshot(int pid, List<SnapshotRegion> regions, Optional<PinnedFile<SymbolTable>> perfMap,
                    String perfMapName, List<Path> debugFileRoots) {
        this(pid, regions, regions, perfMap, perfMap, perfMapName, debugFileRoots);
    }

    private ProcessSnapshot(int pid, List<SnapshotRegion> regions, List<SnapshotRegion> ownedRegions,
                            Optional<PinnedFile<SymbolTable>> perfMap, Optional<PinnedFile<SymbolTable>> ownedPerfMap,
                            String perfMapName, List<Path> debugFileRoots) {
        this.pid = pid;
        this.regions = List.copyOf(regions);
        this.ownedRegions = List.copyOf(ownedRegions);
        this.ownedPerfMap = ownedPerfMap;
        this.perfMap = perfMap;
        this.perfMapName = perfMapName;
        this.debugFileRoots = List.copyOf(debugFileRoots);
        this.unwindRegions = new AtomicReferenceArray<>(this.regions.size());
    }

    public int pid() {
        return pid;
    }

    /** How many executable regions the process had mapped; 0 when it was already gone. */
    public int executableRegionCount() {
        return regions.size();
    }

    Optional<SnapshotRegion> regionOf(long address) {
        int index = regionIndexOf(address);
        return index < 0 ? Optional.empty() : Optional.of(regions.get(index));
    }

    /** The index of the region holding the address, or -1. */
    int regionIndexOf(long address) {
        int low = 0;
        int high = regions.size() - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            MappedRegion region = regions.get(middle).region();
            if (Long.compareUnsigned(address, region.start()) < 0) {
                high = middle - 1;
            } else if (Long.compareUnsigned(address, region.end()) >= 0) {
                low = middle + 1;
            } else {
                return middle;
            }
        }
        return -1;
    }

    List<SnapshotRegion> regions() {
        return regions;
    }

    /**
     * This process with other regions (sorted by start), of which it owns and closes only
     * ownedRegions; the rest, and the perf map, are borrowed from this snapshot, which must
     * outlive the result.
     */
    ProcessSnapshot withRegions(List<SnapshotRegion> regions, List<SnapshotRegion> ownedRegions) {
        return new ProcessSnapshot(pid, regions, ownedRegions, perfMap, Optional.empty(), perfMapName, debugFileRoots);
    }

    SnapshotRegion region(int index) {
        return regions.get(index);
    }

    /** The region's unwinding data, resolving it on first use; racing resolvers compute the same value. */
    UnwindRegion unwindRegion(int index, Function<SnapshotRegion, UnwindRegion> resolver) {
        UnwindRegion resolved = unwindRegions.get(index);
        if (resolved == null) {
            resolved = resolver.apply(regions.get(index));
            unwindRegions.set(index, resolved);
        }
        return resolved;
    }

    Optional<PinnedFile<SymbolTable>> perfMap() {
        return perfMap;
    }

    /** The perf map's path as the process sees it (/tmp/perf-NSPID.map), for frames it names. */
    String perfMapName() {
        return perfMapName;
    }

    /** Where debug files are looked up: the process's root while it lives, then the host's. */
    List<Path> debugFileRoots() {
        return debugFileRoots;
    }

    @Override
    public void close() {
        ownedRegions.forEach(region -> region.module().ifPresent(PinnedFile::close));
        ownedPerfMap.ifPresent(PinnedFile::close);
    }
}
