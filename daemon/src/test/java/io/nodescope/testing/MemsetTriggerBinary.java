package io.nodescope.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * src/test/resources/oom/memset-trigger.c built with gcc -O2 -fomit-frame-pointer, once per JVM:
 * an OOM trigger whose pages are faulted in by libc's memset, and whose stack only call frame
 * information unwinds.
 */
public final class MemsetTriggerBinary {
    private MemsetTriggerBinary() {}

    public static Path path() {
        return Built.PATH;
    }

    /** Class initialization is the once-per-JVM lock: the build runs on first use only. */
    private static final class Built {
        static final Path PATH = build();
    }

    private static Path build() {
        Path root = RepositoryRoot.find();
        Path source = root.resolve("daemon/src/test/resources/oom/memset-trigger.c");
        // Under target/ so `mvn clean` removes it and parallel checkouts never share it.
        Path output = root.resolve("daemon/target/oom/memset-trigger");
        try {
            Files.createDirectories(output.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Commands.run(root, Map.of(), List.of("gcc", "-O2", "-fomit-frame-pointer", "-g", "-o", output.toString(),
                source.toString()));
        return output;
    }
}
