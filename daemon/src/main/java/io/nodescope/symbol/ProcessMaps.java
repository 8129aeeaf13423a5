package io.nodescope.symbol;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Parses /proc/pid/maps. Lines that do not parse are skipped: the kernel's format is fixed, so they are damage. */
final class ProcessMaps {
    private static final String DELETED_SUFFIX = " (deleted)";
    /** A process can map at most vm.max_map_count regions (65530 by default). */
    static final int MAX_REGIONS = 1 << 20;

    private ProcessMaps() {}

    static List<MappedRegion> parse(String maps) {
        List<MappedRegion> regions = new ArrayList<>();
        for (String line : maps.split("\n")) {
            parseLine(line).ifPresent(regions::add);
            if (regions.size() >= MAX_REGIONS) {
                break;
            }
        }
        return regions;
    }

    // 7f3c1a000000-7f3c1a028000 r-xp 00028000 fd:01 1835231                    /usr/lib/x86_64-linux-gnu/libc.so.6
    private static Optional<MappedRegion> parseLine(String line) {
        String[] fields = line.trim().split("\\s+", 6);
        if (fields.length < 5) {
            return Optional.empty();
        }
        try {
            int dash = fields[0].indexOf('-');
            long start = Long.parseUnsignedLong(fields[0], 0, dash, 16);
            long end = Long.parseUnsignedLong(fields[0], dash + 1, fields[0].length(), 16);
            boolean executable = fields[1].length() >= 3 && fields[1].charAt(2) == 'x';
            long offset = Long.parseUnsignedLong(fields[2], 16);
            long inode = Long.parseUnsignedLong(fields[4]);
            Optional<String> path = fields.length == 6 ? Optional.of(fields[5]) : Optional.empty();
            boolean deleted = path.isPresent() && path.get().endsWith(DELETED_SUFFIX);
            if (deleted) {
                path = Optional.of(path.get().substring(0, path.get().length() - DELETED_SUFFIX.length()));
            }
            return Optional.of(new MappedRegion(start, end, executable, offset, inode, path, deleted));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }
}
