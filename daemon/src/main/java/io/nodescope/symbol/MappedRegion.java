package io.nodescope.symbol;

import java.util.Optional;

/**
 * One line of /proc/pid/maps.
 *
 * @param path the mapped file as the process sees it, or a pseudo name ([vdso], [heap]); empty for
 *             anonymous memory (where JIT compilers put their code). A deleted file keeps its path
 *             without the " (deleted)" suffix; {@link #deleted} says so.
 */
record MappedRegion(long start, long end, boolean executable, long fileOffset, long inode, Optional<String> path,
                    boolean deleted) {
    boolean contains(long address) {
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }

    /** A real file (inode != 0), not a pseudo region like [vdso] or anonymous memory. */
    boolean fileBacked() {
        return inode != 0 && path.isPresent() && path.get().startsWith("/");
    }

    /** The name /proc/pid/map_files/ gives this region. */
    String mapFilesName() {
        return Long.toHexString(start) + "-" + Long.toHexString(end);
    }
}
