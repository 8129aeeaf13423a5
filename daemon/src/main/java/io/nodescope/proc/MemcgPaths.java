package io.nodescope.proc;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Memory cgroup id (the kernfs id BPF reads, equal to the inode number of the cgroup directory)
 * to the cgroup's path, e.g. "/kubepods/burstable/pod.../cri-containerd-....scope".
 *
 * <p>Resolved by walking the memory hierarchy and indexing directory inodes, again whenever an
 * id is asked for that the index lacks: a new pod's cgroup exists long before its first OOM, and
 * the walk then finds it. Rescans are not rate-limited by time, because OOM kills come in
 * bursts across fresh cgroups (a node under pressure) and a time limit would drop exactly those.
 * What bounds the walks instead: an id a completed walk did not find is remembered as unknown
 * (kernfs ids are 64-bit and never reused, so it stays unknown), so each id costs at most one
 * walk. Thread-safe.
 */
public final class MemcgPaths {
    private static final System.Logger LOG = System.getLogger("nodescope.proc");
    /** Ids a walk did not find (cgroups already removed), kept so they cost no further walks. */
    private static final int MAX_REMEMBERED_UNKNOWN = 4096;
    /** Bounds a walk over a hostile or enormous tree. */
    private static final int MAX_DIRECTORIES = 200_000;
    private static final int MAX_DEPTH = 32;

    private final Optional<Path> hierarchy;
    private final boolean unified;
    private Map<Long, String> pathsById = Map.of();
    private final Set<Long> knownUnknown = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > MAX_REMEMBERED_UNKNOWN;
        }
    });
    private int scans;

    MemcgPaths(Optional<Path> hierarchy) {
        this.hierarchy = hierarchy;
        this.unified = hierarchy.map(root -> Files.exists(root.resolve("cgroup.controllers"))).orElse(false);
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
        MemcgPaths paths = new MemcgPaths(hierarchy);
        // Index what exists now, so lookups at event time are map hits, not walks.
        hierarchy.ifPresent(root -> paths.pathOf(rootId(root)));
        return paths;
    }

    private static long rootId(Path root) {
        try {
            return ((Number) Files.getAttribute(root, "unix:ino")).longValue();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The memory controller sits on the unified (v2) hierarchy rather than its own v1 mount. */
    public boolean isUnified() {
        return unified;
    }

    /** Whether path (relative to the hierarchy, as /proc/PID/cgroup gives it) is the directory of memcgId. */
    public boolean isDirectoryOf(String path, long memcgId) {
        return hierarchy.map(root -> rootId(root.resolve(path.startsWith("/") ? path.substring(1) : path)))
                .orElse(0L) == memcgId;
    }

    /** A path already indexed; never walks. */
    public synchronized Optional<String> indexedPathOf(long memcgId) {
        return Optional.ofNullable(pathsById.get(memcgId));
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
        if (path == null && !knownUnknown.contains(memcgId)) {
            pathsById = scan(hierarchy.get());
            scans++;
            path = pathsById.get(memcgId);
            if (path == null) {
                knownUnknown.add(memcgId);
            }
        }
        return Optional.ofNullable(path);
    }

    /** Walks done so far (for tests of the walk bound). */
    synchronized int scans() {
        return scans;
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

                        @Override
                        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                            // A directory removed while its entries were listed arrives here with
                            // the error; SimpleFileVisitor would rethrow it and end the whole walk.
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "walking {0} stopped: {1}", root, e.getMessage());
        }
        return index;
    }
}
