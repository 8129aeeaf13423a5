package io.nodescope.symbol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
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

    /**
     * One list per address, innermost first: calls inlined at the address, then the physical function.
     * The addresses are a stack, innermost first: the first is where the thread was, each other one a
     * return address, looked up one byte earlier, inside its call (see {@link #lookupAddress}).
     */
    List<List<Frame>> symbolizeInlined(ProcessSnapshot snapshot, List<Long> addresses) {
        List<Long> lookups = new ArrayList<>(addresses.size());
        for (int i = 0; i < addresses.size(); i++) {
            lookups.add(lookupAddress(addresses.get(i), i));
        }
        return symbolizeInlined(snapshot, addresses, lookups);
    }

    /**
     * As {@link #symbolizeInlined(ProcessSnapshot, List)}, each frame named at the lookup address
     * given for it: an unwound stack knows better than the frame's index which frames a signal
     * interrupted (named at their pc) and which are callers (at their return address - 1).
     */
    List<List<Frame>> symbolizeInlined(ProcessSnapshot snapshot, List<Long> addresses, List<Long> lookupAddresses) {
        List<List<Frame>> frames = new ArrayList<>(addresses.size());
        for (int i = 0; i < addresses.size(); i++) {
            long address = addresses.get(i);
            List<Frame> atAddress = framesAt(snapshot, address, lookupAddresses.get(i));
            (atAddress.getLast().function().isPresent() ? failures.resolvedFrames : failures.unresolvedFrames)
                    .increment();
            frames.add(atAddress);
        }
        return frames;
    }

    /**
     * Where a stack's frame is named: the innermost at its address, a caller at its return address
     * - 1. A return address follows the call; when the call is its function's last instruction (a
     * call to a noreturn function such as abort()) it is already the next function's first byte.
     * The frame still shows the return address and its offset, as perf and gdb do, and is named by
     * the call: its function, and the call's file:line.
     */
    static long lookupAddress(long address, int indexInStack) {
        return indexInStack == 0 ? address : address - 1;
    }

    private List<Frame> framesAt(ProcessSnapshot snapshot, long address, long lookupAt) {
        Optional<SnapshotRegion> found = snapshot.regionOf(lookupAt);
        if (found.isPresent() && found.get().module().isPresent()) {
            return moduleFrames(snapshot, found.get(), address, lookupAt);
        }
        return List.of(nonModuleFrame(snapshot, found, address, lookupAt));
    }

    private Frame nonModuleFrame(ProcessSnapshot snapshot, Optional<SnapshotRegion> found, long address,
                                 long lookupAt) {
        Optional<SymbolTable.Hit> jit = snapshot.perfMap()
                .flatMap(pinned -> pinned.get((identity, channel) -> perfMap(identity, channel, snapshot.perfMapName())))
                .flatMap(table -> table.lookup(lookupAt));
        if (jit.isPresent()) {
            return new Frame(address, Optional.of(jit.get().name()), address - jit.get().start(),
                    Optional.of(snapshot.perfMapName()), address, Optional.empty(), 0);
        }
        return found.map(region -> Frame.unresolved(address, region.region().path(), address - region.region().start()))
                .orElseGet(() -> Frame.unresolved(address, Optional.empty(), 0));
    }

    /** Named at {@code lookupAt}; offsets shown for {@code address}, which lies {@code address - lookupAt} bytes on. */
    private List<Frame> moduleFrames(ProcessSnapshot snapshot, SnapshotRegion snapshotRegion, long address,
                                     long lookupAt) {
        MappedRegion region = snapshotRegion.region();
        long past = address - lookupAt;
        long lookupFileOffset = lookupAt - region.start() + region.fileOffset();
        String path = region.path().orElseThrow();
        Optional<ModuleSymbols> module = module(snapshot, snapshotRegion);
        Optional<Long> lookupElfAddress = module.flatMap(m -> m.binary().virtualAddressOf(lookupFileOffset));
        if (lookupElfAddress.isEmpty()) {
            return List.of(Frame.unresolved(address, region.path(), lookupFileOffset + past));
        }
        long lookupOffset = lookupElfAddress.get();
        long moduleOffset = lookupOffset + past;
        Optional<SymbolTable.Hit> symbol = module.get().symbols().lookup(lookupOffset);
        List<SourceLocation> sources = locate(module.get().sourceLocator(), path, lookupOffset);
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
    private List<SourceLocation> locate(SourceLocator locator, String path, long moduleOffset) {
        try {
            return locator.locate(moduleOffset);
        } catch (MalformedSymbolDataException e) {
            failures.malformed(path + " (source table at 0x" + Long.toHexString(moduleOffset) + ")", e);
            return List.of();
        }
    }

    private Optional<ModuleSymbols> index(FileIdentity identity, FileChannel channel, String path,
                                          ProcessSnapshot snapshot) {
        try {
            ByteBuffer bytes = MappedFiles.map(channel);
            Optional<String> buildId = ElfFile.parse(bytes).buildId();
            ModuleSymbols module = indexer.index(bytes, path, snapshot.debugFileRoots(),
                    buildId.flatMap(modulesByBuildId::get));
            modulesByFile.put(identity, module);
            module.buildId().ifPresent(id -> modulesByBuildId.put(id, module));
            return Optional.of(module);
        } catch (IOException e) {
            failures.unreadable(Path.of(path), e);
        } catch (MalformedSymbolDataException e) {
            failures.malformed(path, e);
        } catch (RuntimeException e) {
            failures.unexpected(path, e);
        }
        return Optional.empty();
    }

    private Optional<SymbolTable> perfMap(FileIdentity identity, FileChannel channel, String perfMapName) {
        try {
            Optional<SymbolTable> cached = perfMaps.get(identity);
            if (cached.isPresent()) {
                return cached;
            }
            SymbolTable table = PerfMap.parse(MappedFiles.map(channel));
            perfMaps.put(identity, table);
            return Optional.of(table);
        } catch (IOException e) {
            failures.unreadable(Path.of(perfMapName), e);
        } catch (RuntimeException e) {
            failures.unexpected(perfMapName, e);
        }
        return Optional.empty();
    }
}
