package io.nodescope.symbol;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link ProcessSnapshot} of no process: real files "mapped" at a chosen base the way the loader
 * maps their executable PT_LOAD segments, plus anonymous executable memory (JIT code). For unwinding
 * made-up register and stack states over real call frame information without a live process.
 */
final class MappedSnapshots {
    private MappedSnapshots() {}

    record Mapping(Path file, long base) {}

    /** @param anonymousCode [start, end) of executable memory backed by no file, or null */
    static ProcessSnapshot of(List<Mapping> mappings, long[] anonymousCode) throws IOException, MalformedSymbolDataException {
        List<SnapshotRegion> regions = new ArrayList<>();
        for (Mapping mapping : mappings) {
            for (ElfFile.LoadSegment segment : SymbolTestBinaries.parse(mapping.file()).loadSegments()) {
                if (!segment.executable()) {
                    continue;
                }
                long pageOffset = segment.offset() & ~0xfffL;
                long start = mapping.base() + (segment.virtualAddress() & ~0xfffL);
                long end = mapping.base() + segment.virtualAddress() + segment.memorySize();
                MappedRegion region = new MappedRegion(start, end, true, pageOffset, 1,
                        Optional.of(mapping.file().toString()), false);
                PinnedFile<ModuleSymbols> pinned = PinnedFile.open(FileIdentity.of(mapping.file()),
                        FileChannel.open(mapping.file(), StandardOpenOption.READ));
                regions.add(new SnapshotRegion(region, Optional.of(pinned)));
            }
        }
        if (anonymousCode != null) {
            regions.add(new SnapshotRegion(new MappedRegion(anonymousCode[0], anonymousCode[1], true, 0, 0,
                    Optional.empty(), false), Optional.empty()));
        }
        regions.sort((a, b) -> Long.compareUnsigned(a.region().start(), b.region().start()));
        return new ProcessSnapshot(0, regions, Optional.empty(), "", List.of(Path.of("/")));
    }
}
