package io.nodescope.module.oom.incident;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads one memory cgroup's counters from its files: memory.usage_in_bytes, memory.stat and
 * memory.failcnt on cgroup v1; memory.current, memory.stat and memory.events on v2. A cgroup
 * removed between two reads is simply absent.
 */
final class CgroupMemoryFiles {
    /** v1 says "no limit" with PAGE_COUNTER_MAX pages in bytes, just under 2^63; nothing real is this big. */
    private static final long V1_UNLIMITED_FROM = 1L << 62;

    private final boolean unified;
    private byte[] buffer = new byte[8192];

    CgroupMemoryFiles(boolean unified) {
        this.unified = unified;
    }

    /** Its memory limit; empty when it has none ("max") or is gone. */
    OptionalLong limitBytes(Path cgroup) {
        Optional<String> text = read(cgroup.resolve(unified ? "memory.max" : "memory.limit_in_bytes"));
        if (text.isEmpty() || text.get().equals("max")) {
            return OptionalLong.empty();
        }
        long limit = parse(text.get());
        return limit <= 0 || limit >= V1_UNLIMITED_FROM ? OptionalLong.empty() : OptionalLong.of(limit);
    }

    /** Without memory.stat, the costly file (the kernel flushes and formats ~50 counters for it). */
    Optional<MemcgSample> withoutBreakdown(Path cgroup, long limitBytes, boolean limitHits, long bootTimeNanos) {
        Optional<String> usage = read(usageFile(cgroup));
        if (usage.isEmpty()) {
            return Optional.empty();
        }
        long hits = MemcgSample.NOT_READ;
        if (limitHits) {
            Optional<String> text = limitHitsText(cgroup);
            if (text.isEmpty()) {
                return Optional.empty();
            }
            hits = parse(text.get());
        }
        return Optional.of(MemcgSample.withoutBreakdown(bootTimeNanos, parse(usage.get()), limitBytes, hits));
    }

    private Optional<String> limitHitsText(Path cgroup) {
        return unified
                ? read(cgroup.resolve("memory.events")).map(events -> keyed(events).getOrDefault("max", 0L))
                        .map(String::valueOf)
                : read(cgroup.resolve("memory.failcnt"));
    }

    private Path usageFile(Path cgroup) {
        return cgroup.resolve(unified ? "memory.current" : "memory.usage_in_bytes");
    }

    /**
     * Everything, the limit re-read too (it can be changed in place); empty when the cgroup is gone
     * or has no limit any more.
     */
    Optional<MemcgSample> sample(Path cgroup, long bootTimeNanos) {
        OptionalLong limit = limitBytes(cgroup);
        if (limit.isEmpty()) {
            return Optional.empty();
        }
        long limitBytes = limit.getAsLong();
        Optional<String> usage = read(usageFile(cgroup));
        Optional<String> stat = read(cgroup.resolve("memory.stat"));
        Optional<String> limitHits = limitHitsText(cgroup);
        if (usage.isEmpty() || stat.isEmpty() || limitHits.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Long> stats = keyed(stat.get());
        // v1 lists the cgroup's own counters and, prefixed total_, its subtree's: the subtree's,
        // like v2 and like the kernel's OOM report.
        String prefix = unified ? "" : "total_";
        return Optional.of(new MemcgSample(bootTimeNanos, parse(usage.get()), limitBytes,
                stats.getOrDefault(prefix + (unified ? "anon" : "rss"), 0L),
                stats.getOrDefault(prefix + (unified ? "file" : "cache"), 0L),
                stats.getOrDefault(prefix + "shmem", 0L),
                stats.getOrDefault(prefix + "inactive_file", 0L),
                stats.getOrDefault("kernel", 0L),
                parse(limitHits.get())));
    }

    /** "name value" lines. */
    static Map<String, Long> keyed(String text) {
        Map<String, Long> values = new HashMap<>();
        text.lines().forEach(line -> {
            int space = line.indexOf(' ');
            if (space > 0) {
                values.put(line.substring(0, space), parse(line.substring(space + 1)));
            }
        });
        return values;
    }

    private static long parse(String number) {
        try {
            return Long.parseLong(number.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * One open, one or two reads into a reused buffer, one close: Files.readString also asks for
     * the size (cgroup files all claim 4096) and allocates per call, which showed in the sampler's
     * CPU time. The files are ASCII. Not thread-safe (the buffer): the sampler's one thread.
     */
    private Optional<String> read(Path file) {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            int length = 0;
            for (int read; (read = in.read(buffer, length, buffer.length - length)) > 0; ) {
                length += read;
                if (length == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
            }
            return Optional.of(new String(buffer, 0, length, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            return Optional.empty(); // removed (or never had the file): nothing to sample
        }
    }
}
