package io.nodescope.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A memory cgroup of its own for one test: created with a memory limit (swap capped too),
 * processes started inside it, removed on close. Needs root. Not thread-safe.
 */
public final class MemoryCgroup implements AutoCloseable {
    /** Exit after SIGKILL is quick, but the reaper and the cgroup's accounting lag a little. */
    private static final Duration EMPTY_WAIT = Duration.ofSeconds(10);
    private static final Duration EMPTY_POLL = Duration.ofMillis(10);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final MemoryHierarchy hierarchy;
    private final Path path;
    private final List<Process> started = new ArrayList<>();

    private MemoryCgroup(MemoryHierarchy hierarchy, Path path) {
        this.hierarchy = hierarchy;
        this.path = path;
    }

    /**
     * Creates {@code <namePrefix>-<jvm pid>-<n>} in the memory hierarchy the machine has:
     * unique across parallel JVMs and within one.
     */
    public static MemoryCgroup create(String namePrefix, long limitBytes) {
        MemoryHierarchy hierarchy = MemoryHierarchy.find(MemoryHierarchy.CGROUP_MOUNT).orElseThrow(
                () -> new IllegalStateException(MemoryHierarchy.missingMessage(MemoryHierarchy.CGROUP_MOUNT)));
        Path path = hierarchy.root().resolve(
                namePrefix + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
        try {
            Files.createDirectory(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cgroup " + path + " (needs root)", e);
        }
        MemoryCgroup cgroup = new MemoryCgroup(hierarchy, path);
        try {
            hierarchy.limit(path, limitBytes);
        } catch (RuntimeException e) {
            cgroup.close();
            throw e;
        }
        return cgroup;
    }

    public Path path() {
        return path;
    }

    /** The path as the kernel and nodescope name it: relative to the hierarchy's root, with a leading "/". */
    public String cgroupPath() {
        return "/" + hierarchy.root().relativize(path);
    }

    public boolean isV2() {
        return hierarchy.isV2();
    }

    /** The inode of the cgroup directory: the kernfs id BPF reports as the memcg id. */
    public long id() {
        try {
            return (Long) Files.getAttribute(path, "unix:ino");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + path, e);
        }
    }

    public long oomKillCount() {
        return hierarchy.oomKillCount(path);
    }

    /**
     * Starts {@code command} inside this cgroup from its first instruction: a shell moves
     * itself in, then execs the command, so the returned Process is the command itself
     * (same pid) and nothing it allocates is charged elsewhere. stdout and stderr are merged
     * into {@link Process#getInputStream()}, which the caller must drain.
     */
    public Process start(List<String> command) {
        List<String> inCgroup = new ArrayList<>(List.of(
                // The procs file travels as $0, so the script needs no quoting of paths.
                "sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", hierarchy.procsFile(path).toString()));
        inCgroup.addAll(command);
        try {
            Process process = new ProcessBuilder(inCgroup).redirectErrorStream(true).start();
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /**
     * Kills what this cgroup started (and their descendants) if still inside, waits for the
     * cgroup to empty, removes it. Processes someone else put in are never touched: the
     * cgroup is then left in place and close throws, naming them.
     */
    @Override
    public void close() {
        if (!Files.isDirectory(path)) {
            return;
        }
        Set<Long> members = members();
        List<ProcessHandle> ours = started.stream()
                .flatMap(process -> Stream.concat(Stream.of(process.toHandle()), process.descendants()))
                .filter(handle -> members.contains(handle.pid()))
                .toList();
        ours.forEach(ProcessHandle::destroyForcibly);
        started.forEach(MemoryCgroup::reap);
        awaitEmpty();
        try {
            Files.delete(path);
        } catch (NoSuchFileException alreadyRemoved) {
            // Someone (an earlier close) removed it: the goal is reached.
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove cgroup " + path, e);
        }
    }

    /** A killed child stays in cgroup.procs until it is reaped. */
    private static void reap(Process process) {
        try {
            process.waitFor(EMPTY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitEmpty() {
        Instant deadline = Instant.now().plus(EMPTY_WAIT);
        Set<Long> members = members();
        while (!members.isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("cgroup " + path + " still holds pids " + members
                        + " after " + EMPTY_WAIT + "; left in place");
            }
            try {
                Thread.sleep(EMPTY_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + path + " to empty", e);
            }
            members = members();
        }
    }

    private Set<Long> members() {
        try (Stream<String> lines = Files.lines(hierarchy.procsFile(path))) {
            return lines.map(Long::parseLong).collect(Collectors.toUnmodifiableSet());
        } catch (NoSuchFileException removed) {
            return Set.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read members of " + path, e);
        }
    }
}
