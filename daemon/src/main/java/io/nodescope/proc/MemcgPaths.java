package io.nodescope.proc;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Memory cgroup id (the kernfs id BPF reads, equal to the inode number of the cgroup directory)
 * to the cgroup's path, e.g. "/kubepods/burstable/pod.../cri-containerd-....scope".
 *
 * <p>Resolved by walking the memory hierarchy and indexing directory inodes, again on a miss
 * but at most once per {@link #MIN_RESCAN_INTERVAL_NANOS}: cgroups of interest are created
 * long before their OOM, and a walk of a busy node's tree costs milliseconds, which must not
 * repeat per event. Thread-safe.
 */
public final class MemcgPaths {
    private static final System.Logger LOG = System.getLogger("nodescope.proc");
    static final long MIN_RESCAN_INTERVAL_NANOS = 500_000_000L;
    /** Bounds a walk over a hostile or enormous tree. */
    private static final int MAX_DIRECTORIES = 200_000;
    private static final int MAX_DEPTH = 32;

    private final Optional<Path> hierarchy;
    private final LongSupplier nanoTime;
    private Map<Long, String> pathsById = Map.of();
    private long lastScanNanos;
    private boolean scanned;

    MemcgPaths(Optional<Path> hierarchy, LongSupplier nanoTime) {
        this.hierarchy = hierarchy;
        this.nanoTime = nanoTime;
    }

    /**
     * Finds the hierarchy with the memory controller under cgroupRoot: cgroup v2 when the
     * unified root lists "memory" in cgroup.controllers, else the v1 "memory" mount.
     */
    public static MemcgPaths discover(Path cgroupRoot) {
        Optional<Path> hierarchy = memoryHierarchy(cgroupRoot);
        if (hierarchy.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "no memory cgroup hierarchy under {0}: spans will carry memcg ids "
                    + "but not cgroup paths", cgroupRoot);
        }
        return new MemcgPaths(hierarchy, System::nanoTime);
    }

    static Optional<Path> memoryHierarchy(Path cgroupRoot) {
        Path unifiedControllers = cgroupRoot.resolve("cgroup.controllers");
        try {
            if (Files.isReadable(unifiedControllers)
                    && (" " + Files.readString(unifiedControllers).strip() + " ").contains(" memory ")) {
                return Optional.of(cgroupRoot);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read {0}: {1}", unifiedControllers, e.getMessage());
        }
        Path v1 = cgroupRoot.resolve("memory");
        return Files.isDirectory(v1) ? Optional.of(v1) : Optional.empty();
    }

    public Optional<Path> hierarchy() {
        return hierarchy;
    }

    public synchronized Optional<String> pathOf(long memcgId) {
        if (memcgId == 0 || hierarchy.isEmpty()) {
            return Optional.empty();
        }
        String path = pathsById.get(memcgId);
        if (path == null && (!scanned || nanoTime.getAsLong() - lastScanNanos >= MIN_RESCAN_INTERVAL_NANOS)) {
            pathsById = scan(hierarchy.get());
            lastScanNanos = nanoTime.getAsLong();
            scanned = true;
            path = pathsById.get(memcgId);
        }
        return Optional.ofNullable(path);
    }

    private static Map<Long, String> scan(Path root) {
        Map<Long, String> index = new HashMap<>();
        try {
            Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_DEPTH,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                            try {
                                Object inode = Files.getAttribute(dir, "unix:ino");
                                index.put(((Number) inode).longValue(), "/" + root.relativize(dir));
                            } catch (IOException goneWhileWalking) {
                                // Thrown out of the visitor, it would end the whole walk.
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            return index.size() >= MAX_DIRECTORIES ? FileVisitResult.TERMINATE
                                    : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            // cgroups vanish while we walk: skip what is gone.
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "walking {0} stopped: {1}", root, e.getMessage());
        }
        return index;
    }
}
