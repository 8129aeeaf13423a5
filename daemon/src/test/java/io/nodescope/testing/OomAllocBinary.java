package io.nodescope.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

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
        Path script = root.resolve("demo/build-oom-alloc.sh");
        try {
            Process build = new ProcessBuilder(script.toString(), output.toString())
                    .redirectErrorStream(true).start();
            String log = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (build.waitFor() != 0) {
                throw new IllegalStateException(script + " failed (is gcc installed? `make deps`):\n" + log);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building oom-alloc", e);
        }
    }
}
