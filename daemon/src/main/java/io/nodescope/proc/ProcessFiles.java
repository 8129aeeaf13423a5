package io.nodescope.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
