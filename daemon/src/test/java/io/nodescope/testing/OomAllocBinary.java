package io.nodescope.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * demo/oom-alloc compiled for the tests, once per JVM. It goes through
 * demo/build-oom-alloc.sh so the tests run the binary the demo runs, flags included.
 */
public final class OomAllocBinary {
    private OomAllocBinary() {}

    public static Path path() {
        return Built.PATH;
    }

    /** Class initialization is the once-per-JVM lock: the build runs on first use only. */
    private static final class Built {
        static final Path PATH = build();
    }

    private static Path build() {
        Path root = RepositoryRoot.find();
        // Under target/ so `mvn clean` removes it and parallel checkouts never share it.
        Path output = root.resolve("daemon/target/demo/oom-alloc");
        // Fails the test with the script's output (gcc missing: `make deps`).
        Commands.run(root, Map.of(), List.of(root.resolve("demo/build-oom-alloc.sh").toString(), output.toString()));
        return output;
    }
}
