package io.nodescope.symbol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * User-space addresses of a snapshotted process to frames: the region holding the address, the
 * module mapped there (indexed on first use, from cache after), the load bias undone through the
 * module's PT_LOAD headers, then its symbols and source locator; JIT code through the perf map.
 * An address gives one frame, or more where its source table records calls inlined there.
 */
final class UserSymbolizer {
    private final ModuleIndexer indexer;
    private final WeightedLruCache<FileIdentity, ModuleSymbols> modulesByFile;
    private final WeightedLruCache<String, ModuleSymbols> modulesByBuildId;
    private final WeightedLruCache<FileIdentity, SymbolTable> perfMaps;
    private final SymbolFailures failures;

    UserSymbolizer(ModuleIndexer indexer, WeightedLruCache<FileIdentity, ModuleSymbols> modulesByFile,
                   WeightedLruCache<String, ModuleSymbols> modulesByBuildId,
                   WeightedLruCache<FileIdentity, SymbolTable> perfMaps, SymbolFailures failures) {
        this.indexer = indexer;
        this.modulesByFile = modulesByFile;
        this.modulesByBuildId = modulesByBuildId;
        this.perfMaps = perfMaps;
        this.failures = failures;
    }

    /**
     * One frame per address: the physical function (the one the symbol table or pclntab names at the
     * address) with the innermost source position, which is where the address really is.
     */
    List<Frame> symbolize(ProcessSnapshot snapshot, List<Long> addresses) {
        List<Frame> frames = new ArrayList<>(addresses.size());
        for (List<Frame> atAddress : symbolizeInlined(snapshot, addresses)) {
            frames.add(atAddress.getLast().withSourceOf(atAddress.getFirst()));
        }
        return frames;
    }

    /** One list per address, innermost first: calls inlined at the address, then the physical function. */
    List<List<Frame>> symbolizeInlined(ProcessSnapshot snapshot, List<Long> addresses) {
        List<List<Frame>> frames = new ArrayList<>(addresses.size());
        for (long address : addresses) {
            List<Frame> atAddress = framesAt(snapshot, address);
            (atAddress.getLast().function().isPresent() ? failures.resolvedFrames : failures.unresolvedFrames)
                    .increment();
            frames.add(atAddress);
        }
        return frames;
    }

    private List<Frame> framesAt(ProcessSnapshot snapshot, long address) {
        Optional<SnapshotRegion> found = snapshot.regionOf(address);
        if (found.isPresent() && found.get().module().isPresent()) {
            return moduleFrames(snapshot, found.get(), address);
        }
        return List.of(nonModuleFrame(snapshot, found, address));
    }

    private Frame nonModuleFrame(ProcessSnapshot snapshot, Optional<SnapshotRegion> found, long address) {
        Optional<SymbolTable.Hit> jit = snapshot.perfMap()
                .flatMap(pinned -> pinned.get(this::perfMap))
                .flatMap(table -> table.lookup(address));
        if (jit.isPresent()) {
            return new Frame(address, Optional.of(jit.get().name()), address - jit.get().start(),
                    Optional.of(snapshot.perfMapName()), address, Optional.empty(), 0);
        }
        return found.map(region -> Frame.unresolved(address, region.region().path(), address - region.region().start()))
                .orElseGet(() -> Frame.unresolved(address, Optional.empty(), 0));
    }

    private List<Frame> moduleFrames(ProcessSnapshot snapshot, SnapshotRegion snapshotRegion, long address) {
        MappedRegion region = snapshotRegion.region();
        long fileOffset = address - region.start() + region.fileOffset();
        Optional<ModuleSymbols> module = module(snapshot, snapshotRegion);
        Optional<Long> elfAddress = module.flatMap(m -> m.binary().virtualAddressOf(fileOffset));
        if (elfAddress.isEmpty()) {
            return List.of(Frame.unresolved(address, region.path(), fileOffset));
        }
        long moduleOffset = elfAddress.get();
        Optional<SymbolTable.Hit> symbol = module.get().symbols().lookup(moduleOffset);
        List<SourceLocation> sources = locate(module.get().sourceLocator(), moduleOffset);
        List<Frame> frames = new ArrayList<>(Math.max(1, sources.size()));
        for (SourceLocation inlined : sources.subList(0, Math.max(0, sources.size() - 1))) {
            // An inlined call has no entry of its own to count an offset from.
            frames.add(new Frame(address, inlined.function(), 0, region.path(), moduleOffset,
                    Optional.of(inlined.file()), inlined.line()));
        }
        Optional<SourceLocation> physical = sources.isEmpty() ? Optional.empty() : Optional.of(sources.getLast());
        Optional<String> function = symbol.map(SymbolTable.Hit::name)
                .or(() -> physical.flatMap(SourceLocation::function));
        long offsetInFunction = symbol.map(hit -> moduleOffset - hit.start())
                .or(() -> physical.flatMap(SourceLocation::functionEntry).map(entry -> moduleOffset - entry))
                .orElse(0L);
        frames.add(new Frame(address, function, offsetInFunction, region.path(), moduleOffset,
                physical.map(SourceLocation::file), physical.map(SourceLocation::line).orElse(0)));
        return frames;
    }

    /** The file-backed region's module, indexed on first use (by whichever stage needs it first). */
    Optional<ModuleSymbols> module(ProcessSnapshot snapshot, SnapshotRegion snapshotRegion) {
        String path = snapshotRegion.region().path().orElseThrow();
        return snapshotRegion.module().orElseThrow()
                .get((identity, channel) -> index(identity, channel, path, snapshot));
    }

    /** A table that turns out damaged at this address loses the frame its file:line, not its name. */
    private List<SourceLocation> locate(SourceLocator locator, long moduleOffset) {
        try {
            return locator.locate(moduleOffset);
        } catch (MalformedSymbolDataException e) {
            failures.malformed.increment();
            return List.of();
        }
    }

    private Optional<ModuleSymbols> index(FileIdentity identity, FileChannel channel, String path,
                                          ProcessSnapshot snapshot) {
        try {
            ByteBuffer bytes = MappedFiles.map(channel);
            Optional<String> buildId = ElfFile.parse(bytes).buildId();
            Optional<ModuleSymbols> shared = buildId.flatMap(modulesByBuildId::get);
            ModuleSymbols module = shared.isPresent() ? shared.get()
                    : indexer.index(bytes, path, snapshot.debugFileRoots());
            modulesByFile.put(identity, module);
            module.buildId().ifPresent(id -> modulesByBuildId.put(id, module));
            return Optional.of(module);
        } catch (IOException e) {
            failures.unreadable.increment();
        } catch (MalformedSymbolDataException e) {
            failures.malformed.increment();
        } catch (RuntimeException e) {
            failures.unexpected.increment();
        }
        return Optional.empty();
    }

    private Optional<SymbolTable> perfMap(FileIdentity identity, FileChannel channel) {
        try {
            Optional<SymbolTable> cached = perfMaps.get(identity);
            if (cached.isPresent()) {
                return cached;
            }
            SymbolTable table = PerfMap.parse(MappedFiles.map(channel));
            perfMaps.put(identity, table);
            return Optional.of(table);
        } catch (IOException e) {
            failures.unreadable.increment();
        } catch (RuntimeException e) {
            failures.unexpected.increment();
        }
        return Optional.empty();
    }
}
