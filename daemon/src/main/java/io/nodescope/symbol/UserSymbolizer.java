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

    List<Frame> symbolize(ProcessSnapshot snapshot, List<Long> addresses) {
        List<Frame> frames = new ArrayList<>(addresses.size());
        for (long address : addresses) {
            Frame frame = frame(snapshot, address);
            (frame.function().isPresent() ? failures.resolvedFrames : failures.unresolvedFrames).increment();
            frames.add(frame);
        }
        return frames;
    }

    private Frame frame(ProcessSnapshot snapshot, long address) {
        Optional<SnapshotRegion> found = snapshot.regionOf(address);
        if (found.isPresent() && found.get().module().isPresent()) {
            return moduleFrame(snapshot, found.get(), address);
        }
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

    private Frame moduleFrame(ProcessSnapshot snapshot, SnapshotRegion snapshotRegion, long address) {
        MappedRegion region = snapshotRegion.region();
        long fileOffset = address - region.start() + region.fileOffset();
        String path = region.path().orElseThrow();
        Optional<ModuleSymbols> module = snapshotRegion.module().orElseThrow()
                .get((identity, channel) -> index(identity, channel, path, snapshot));
        Optional<Long> elfAddress = module.flatMap(m -> m.binary().virtualAddressOf(fileOffset));
        if (elfAddress.isEmpty()) {
            return Frame.unresolved(address, region.path(), fileOffset);
        }
        long moduleOffset = elfAddress.get();
        Optional<SymbolTable.Hit> symbol = module.get().symbols().lookup(moduleOffset);
        Optional<SourceLocation> source = module.get().sourceLocator().locate(moduleOffset);
        Optional<String> function = symbol.map(SymbolTable.Hit::name).or(() -> source.flatMap(SourceLocation::function));
        long offsetInFunction = symbol.map(hit -> moduleOffset - hit.start()).orElse(0L);
        return new Frame(address, function, offsetInFunction, region.path(), moduleOffset,
                source.map(SourceLocation::file), source.map(SourceLocation::line).orElse(0));
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
