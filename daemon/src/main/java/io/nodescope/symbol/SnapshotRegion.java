package io.nodescope.symbol;

import java.util.Optional;

/** An executable region of a snapshotted process, with its file pinned when it is a real one. */
record SnapshotRegion(MappedRegion region, Optional<PinnedFile<ModuleSymbols>> module) {}
