package io.nodescope.module.oom.incident;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Samples every memory cgroup that has a limit into a {@link MemcgHistory}, densely only where it
 * matters: each cgroup every {@code interval}, and every {@code denseInterval} while its usage is at
 * or above {@link #DENSE_FROM_FRACTION} of its limit, or above {@link #DENSE_UNDER_STALL_FRACTION}
 * while the node stalls on memory (PSI). memory.stat, the costly file, is read every
 * {@link #BREAKDOWN_EVERY}th sample of a cgroup at half its limit or more or whose usage moved by
 * {@link #BREAKDOWN_MOVE_FRACTION} of its limit since it was last read, else every
 * {@link #BREAKDOWN_AT_LEAST_EVERY}th (what the verdict needs densely is the usage; the breakdown at
 * the kill comes from the kernel); the others read the usage, and from half the limit up its limit
 * hits. Which cgroups
 * have a limit is found by a walk of the hierarchy every {@code discoveryInterval}. Run it every
 * {@code denseInterval}; not thread-safe (one timer).
 */
public final class MemcgSampler implements Runnable {
    private static final System.Logger LOG = System.getLogger("nodescope.oom");
    static final double DENSE_FROM_FRACTION = 0.8;
    static final double DENSE_UNDER_STALL_FRACTION = 0.5;
    static final double LIMIT_HITS_FROM_FRACTION = 0.5;
    static final int BREAKDOWN_EVERY = 6;
    static final int BREAKDOWN_AT_LEAST_EVERY = 30;
    static final double BREAKDOWN_MOVE_FRACTION = 0.05;
    private static final int MAX_DEPTH = 32;

    private final Path hierarchy;
    private final CgroupMemoryFiles files;
    private final NodeMemoryPressure pressure;
    private final MemcgHistory history;
    private final long intervalNanos;
    private final long denseIntervalNanos;
    private final long discoveryIntervalNanos;
    private final long windowNanos;
    private final int maxCgroups;
    private final LongSupplier bootClock;
    private Map<Path, Tracked> tracked = new HashMap<>();
    private long nextDiscoveryNanos = Long.MIN_VALUE;
    private boolean warnedFull;

    /** A limited cgroup: where, its id (the kernfs id BPF reports), its limit, when it is due. */
    private static final class Tracked {
        final long id;
        long limitBytes;
        long dueNanos;
        double lastUsedFraction;
        boolean gone;
        int samplesSinceBreakdown = BREAKDOWN_AT_LEAST_EVERY; // the first sample reads it
        long lastUsageBytes;
        long usageAtBreakdown;

        Tracked(long id, long limitBytes, long dueNanos) {
            this.id = id;
            this.limitBytes = limitBytes;
            this.dueNanos = dueNanos;
        }

        boolean needsBreakdown() {
            int sample = samplesSinceBreakdown + 1;
            return sample >= BREAKDOWN_AT_LEAST_EVERY
                    || (sample >= BREAKDOWN_EVERY && (lastUsedFraction >= LIMIT_HITS_FROM_FRACTION
                            || Math.abs(lastUsageBytes - usageAtBreakdown) >= BREAKDOWN_MOVE_FRACTION * limitBytes));
        }

        void sampled(MemcgSample sample) {
            limitBytes = sample.limitBytes();
            lastUsedFraction = sample.usedFraction();
            lastUsageBytes = sample.usageBytes();
            if (sample.hasBreakdown()) {
                samplesSinceBreakdown = 0;
                usageAtBreakdown = sample.usageBytes();
            } else {
                samplesSinceBreakdown++;
            }
        }
    }

    public MemcgSampler(Path hierarchy, boolean unified, MemcgHistory history, Duration interval,
                        Duration denseInterval, Duration discoveryInterval, Duration window, int maxCgroups,
                        LongSupplier bootClock) {
        this(hierarchy, new CgroupMemoryFiles(unified), new NodeMemoryPressure(NodeMemoryPressure.PROC_PRESSURE_MEMORY),
                history, interval, denseInterval, discoveryInterval, window, maxCgroups, bootClock);
    }

    MemcgSampler(Path hierarchy, CgroupMemoryFiles files, NodeMemoryPressure pressure, MemcgHistory history,
                 Duration interval, Duration denseInterval, Duration discoveryInterval, Duration window,
                 int maxCgroups, LongSupplier bootClock) {
        this.hierarchy = hierarchy;
        this.files = files;
        this.pressure = pressure;
        this.history = history;
        this.intervalNanos = interval.toNanos();
        this.denseIntervalNanos = denseInterval.toNanos();
        this.discoveryIntervalNanos = discoveryInterval.toNanos();
        this.windowNanos = window.toNanos();
        this.maxCgroups = maxCgroups;
        this.bootClock = bootClock;
    }

    @Override
    public void run() {
        try {
            tick();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule: log it and keep sampling.
            LOG.log(System.Logger.Level.ERROR, "sampling memory cgroups failed", e);
        }
    }

    void tick() {
        long now = bootClock.getAsLong();
        if (now >= nextDiscoveryNanos) {
            discover(now);
            nextDiscoveryNanos = now + discoveryIntervalNanos;
        }
        boolean stalled = pressure.stalledSinceLastCall();
        tracked.forEach((path, cgroup) -> {
            if (now >= cgroup.dueNanos) {
                sample(path, cgroup, now, stalled);
            }
        });
    }

    private void sample(Path path, Tracked cgroup, long now, boolean stalled) {
        Optional<MemcgSample> sampled = cgroup.needsBreakdown() ? files.sample(path, now)
                : files.withoutBreakdown(path, cgroup.limitBytes, cgroup.lastUsedFraction >= LIMIT_HITS_FROM_FRACTION, now);
        if (sampled.isEmpty()) {
            cgroup.gone = true; // removed, or its limit lifted: the next walk decides
            return;
        }
        MemcgSample sample = sampled.get();
        history.record(cgroup.id, sample);
        cgroup.sampled(sample);
        boolean dense = sample.usedFraction() >= DENSE_FROM_FRACTION
                || (stalled && sample.usedFraction() >= DENSE_UNDER_STALL_FRACTION);
        // Due a little early: the timer's period and this one are the same length.
        cgroup.dueNanos = now + (dense ? denseIntervalNanos : intervalNanos) - denseIntervalNanos / 2;
    }

    /** Which cgroups have a limit now; the others' histories go once they are past the window. */
    private void discover(long now) {
        Map<Path, Tracked> found = new HashMap<>();
        ArrayDeque<Path> pending = new ArrayDeque<>();
        ArrayDeque<Integer> depths = new ArrayDeque<>();
        pending.add(hierarchy);
        depths.add(0);
        while (!pending.isEmpty()) {
            Path directory = pending.poll();
            int depth = depths.poll();
            if (depth > 0) {
                track(directory, found, now);
            }
            if (depth < MAX_DEPTH) {
                for (Path child : subdirectories(directory)) {
                    pending.add(child);
                    depths.add(depth + 1);
                }
            }
        }
        tracked = found;
        history.forgetSampledBefore(now - windowNanos);
    }

    private void track(Path directory, Map<Path, Tracked> found, long now) {
        // A known cgroup's limit is re-read with its memory.stat: no read here.
        Tracked known = tracked.get(directory);
        if (known != null && !known.gone) {
            found.put(directory, known);
            return;
        }
        OptionalLong limit = files.limitBytes(directory);
        if (limit.isEmpty()) {
            return;
        }
        if (known != null) {
            known.gone = false;
            known.limitBytes = limit.getAsLong();
            found.put(directory, known);
            return;
        }
        if (found.size() >= maxCgroups) {
            if (!warnedFull) {
                LOG.log(System.Logger.Level.WARNING, "more than {0} limited memory cgroups: the others get no "
                        + "history before an OOM kill (raise --oom-history-max-cgroups)", maxCgroups);
                warnedFull = true;
            }
            return;
        }
        try {
            long id = ((Number) Files.getAttribute(directory, "unix:ino")).longValue();
            found.put(directory, new Tracked(id, limit.getAsLong(), now));
        } catch (IOException e) {
            // Removed since it was listed.
        }
    }

    /**
     * A cgroup directory's entries are its control files and its child cgroups. The control files
     * of the memory hierarchy are named memory.*, cgroup.* and a few fixed names: skipping those by
     * name saves a stat each (about 30 per cgroup).
     */
    private static List<Path> subdirectories(Path directory) {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!isControlFileName(name) && Files.isDirectory(entry)) {
                    children.add(entry);
                }
            }
        } catch (IOException e) {
            // Removed while walking.
        }
        return children;
    }

    private static boolean isControlFileName(String name) {
        return name.startsWith("memory.") || name.startsWith("cgroup.") || name.equals("tasks")
                || name.equals("notify_on_release") || name.equals("release_agent");
    }
}
