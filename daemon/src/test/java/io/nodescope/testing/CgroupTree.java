package io.nodescope.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A nested cgroup path for one test, in any hierarchy (v1 memory, cgroup2 with or without
 * controllers), e.g. kubelet's "kubepods.slice/.../cri-containerd-&lt;id&gt;.scope" below a
 * directory named {@code <prefix>-<jvm pid>-<n>}, so parallel JVMs never share one. Processes
 * start inside the leaf; close kills only those, then removes the directories it created,
 * deepest first. Needs root. Not thread-safe.
 */
public final class CgroupTree implements AutoCloseable {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final long EXIT_WAIT_SECONDS = 10;

    private final Path top;
    private final Path leaf;
    private final List<Path> created = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();

    private CgroupTree(Path top, Path leaf) {
        this.top = top;
        this.leaf = leaf;
    }

    /** Creates hierarchyRoot/&lt;prefix&gt;-&lt;pid&gt;-&lt;n&gt;/relativeLeaf. */
    public static CgroupTree create(Path hierarchyRoot, String prefix, String relativeLeaf) {
        Path top = hierarchyRoot.resolve(prefix + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
        CgroupTree tree = new CgroupTree(top, top.resolve(relativeLeaf));
        try {
            for (Path directory = top; ; directory = directory.resolve(tree.leaf.getName(directory.getNameCount()))) {
                Files.createDirectory(directory);
                tree.created.add(directory);
                if (directory.equals(tree.leaf)) {
                    return tree;
                }
            }
        } catch (IOException e) {
            tree.close();
            throw new UncheckedIOException("cannot create cgroup " + tree.leaf + " (needs root)", e);
        }
    }

    /** The leaf's path as /proc/&lt;pid&gt;/cgroup and a hierarchy walk name it, from the hierarchy root. */
    public String pathInHierarchy() {
        return "/" + top.getParent().relativize(leaf);
    }

    public Path leaf() {
        return leaf;
    }

    /** The inode of the leaf directory: the cgroup id BPF reports. */
    public long leafId() {
        try {
            return (Long) Files.getAttribute(leaf, "unix:ino");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + leaf, e);
        }
    }

    /**
     * Starts command and moves it into the leaf. It runs its first instructions outside (use
     * {@link MemoryCgroup} where that matters, e.g. for what it allocates), but ProcessBuilder
     * returns after the exec, so once this returns, /proc/&lt;pid&gt;/exe is the command's and its
     * cgroup is the leaf. Output is discarded.
     */
    public Process start(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectErrorStream(true).start();
            started.add(process);
            Files.writeString(leaf.resolve("cgroup.procs"), Long.toString(process.pid()), StandardOpenOption.WRITE);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command + " in " + leaf, e);
        }
    }

    /** Kills what this tree started (only that) and removes its directories, deepest first. */
    @Override
    public void close() {
        for (Process process : started) {
            process.destroyForcibly();
            try {
                // A killed child stays a member until reaped, and a cgroup with members cannot be removed.
                process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.delete(created.get(i));
            } catch (NoSuchFileException alreadyRemoved) {
                // The goal is reached.
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove cgroup " + created.get(i) + "; left in place", e);
            }
        }
    }
}
