package io.nodescope.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout the tests run from, whichever directory Maven or an IDE started them in. */
public final class RepositoryRoot {
    private RepositoryRoot() {}

    /** Walks up from the working directory to the first directory holding both bpf/ and daemon/. */
    public static Path find() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("bpf")) && Files.isDirectory(dir.resolve("daemon"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no nodescope checkout (a directory with bpf/ and daemon/) at or above " + start);
    }
}
