package io.nodescope.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * Where memory cgroups can be created and how their files are named: cgroup v2 and v1 put
 * the same knobs in different files. Nodes run either; this project's own machines have v1
 * memory next to a cgroup2 mount without the memory controller.
 */
public sealed interface MemoryHierarchy {
    Path CGROUP_MOUNT = Path.of("/sys/fs/cgroup");

    /** What a user reads when neither hierarchy is usable, naming both places looked at. */
    static String missingMessage(Path cgroupMount) {
        return "no usable memory cgroup: neither " + cgroupMount.resolve("cgroup.subtree_control")
                + " lists memory (v2) nor " + cgroupMount.resolve("memory") + " is mounted (v1)";
    }

    /**
     * v2 counts only when children get the controller (cgroup.subtree_control, not merely
     * cgroup.controllers): otherwise a new child has no memory.max to write.
     */
    static Optional<MemoryHierarchy> find(Path cgroupMount) {
        Path subtreeControl = cgroupMount.resolve("cgroup.subtree_control");
        if (Files.isReadable(subtreeControl) && listsMemory(read(subtreeControl))) {
            return Optional.of(new V2(cgroupMount));
        }
        Path v1Memory = cgroupMount.resolve("memory");
        if (Files.exists(v1Memory.resolve("memory.limit_in_bytes"))) {
            return Optional.of(new V1(v1Memory));
        }
        return Optional.empty();
    }

    /** The directory new memory cgroups are created in. */
    Path root();

    boolean isV2();

    /**
     * Caps memory and swap: with swap left open the kernel pages out instead of
     * OOM-killing, and a test waiting for the kill would wait for nothing.
     */
    void limit(Path cgroup, long bytes);

    /** Processes the OOM killer killed in this cgroup. */
    long oomKillCount(Path cgroup);

    /** Writing a pid here moves that process in; reading lists the members. Same name on v1 and v2. */
    default Path procsFile(Path cgroup) {
        return cgroup.resolve("cgroup.procs");
    }

    record V2(Path root) implements MemoryHierarchy {
        @Override
        public boolean isV2() {
            return true;
        }

        @Override
        public void limit(Path cgroup, long bytes) {
            write(cgroup.resolve("memory.max"), bytes);
            // Absent when the kernel runs without swap accounting; then there is no swap to cap.
            writeIfPresent(cgroup.resolve("memory.swap.max"), 0);
        }

        @Override
        public long oomKillCount(Path cgroup) {
            return counter(cgroup.resolve("memory.events"), "oom_kill");
        }
    }

    record V1(Path root) implements MemoryHierarchy {
        @Override
        public boolean isV2() {
            return false;
        }

        @Override
        public void limit(Path cgroup, long bytes) {
            // The kernel rejects a memory+swap limit below the memory limit: memory goes first.
            write(cgroup.resolve("memory.limit_in_bytes"), bytes);
            // Absent without swap accounting (swapaccount=0).
            writeIfPresent(cgroup.resolve("memory.memsw.limit_in_bytes"), bytes);
        }

        @Override
        public long oomKillCount(Path cgroup) {
            return counter(cgroup.resolve("memory.oom_control"), "oom_kill");
        }
    }

    private static boolean listsMemory(String controllers) {
        return List.of(controllers.strip().split("\\s+")).contains("memory");
    }

    /** Reads one "name value" line of a flat-keyed cgroup file such as memory.events. */
    private static long counter(Path file, String name) {
        return read(file).lines()
                .map(line -> line.split("\\s+"))
                .filter(fields -> fields.length == 2 && fields[0].equals(name))
                .mapToLong(fields -> Long.parseLong(fields[1]))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + name + " line in " + file));
    }

    private static void writeIfPresent(Path file, long value) {
        if (Files.exists(file)) {
            write(file, value);
        }
    }

    /** No CREATE: a missing knob is an error, not a new file. */
    private static void write(Path file, long value) {
        try {
            Files.writeString(file, Long.toString(value), StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + value + " to " + file, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
