package io.nodescope.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Arrays;
import java.util.Optional;

/** Best-effort reads of a live process's /proc entries; the process may be gone by now. */
public final class ProcessFiles {
    private final Path procRoot;

    public ProcessFiles(Path procRoot) {
        this.procRoot = procRoot;
    }

    /** The executable's path as the process sees it (inside its container's mount namespace). */
    public Optional<String> executablePath(int pid) {
        try {
            String target = Files.readSymbolicLink(procRoot.resolve(Integer.toString(pid)).resolve("exe")).toString();
            // A replaced or removed binary reads as "/path (deleted)": keep the path, the fact is not ours to hide.
            return Optional.of(target);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * The process's memory cgroup path from /proc/PID/cgroup: the "0::" line on a unified (v2)
     * memory hierarchy, the line listing "memory" on v1. A single small read, so it is taken first
     * when an event arrives: the victim's /proc entry is gone milliseconds later.
     */
    public Optional<String> memoryCgroupPath(int pid, boolean unified) {
        try {
            for (String line : Files.readAllLines(procRoot.resolve(Integer.toString(pid)).resolve("cgroup"))) {
                String[] fields = line.split(":", 3);
                if (fields.length == 3 && (unified ? fields[0].equals("0") && fields[1].isEmpty()
                        : Arrays.asList(fields[1].split(",")).contains("memory"))) {
                    return Optional.of(fields[2]);
                }
            }
        } catch (IOException | SecurityException e) {
            // gone already: the caller falls back to walking the hierarchy
        }
        return Optional.empty();
    }

    /** The arguments, NUL-separated in /proc; empty for kernel threads, zombies and processes gone. */
    Optional<List<String>> arguments(int pid) {
        try {
            byte[] cmdline = Files.readAllBytes(procRoot.resolve(Integer.toString(pid)).resolve("cmdline"));
            return cmdline.length == 0 ? Optional.empty()
                    : Optional.of(Arrays.asList(new String(cmdline, StandardCharsets.UTF_8).split("\0")));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }
}
