package io.nodescope.symbol;

import io.nodescope.testing.Commands;
import io.nodescope.testing.RepositoryRoot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * src/test/resources/symbol/unwind/unwindee.c and its library, built once per JVM with gcc -O2
 * -fomit-frame-pointer (no frame pointers to lean on), and started in one of its modes.
 */
final class UnwindTestProgram {
    static final Path SOURCES = RepositoryRoot.find().resolve("daemon/src/test/resources/symbol/unwind");

    private UnwindTestProgram() {}

    static Path binary() {
        return Built.DIRECTORY.resolve("unwindee");
    }

    static Path library() {
        return Built.DIRECTORY.resolve("libunwindee.so");
    }

    /** Starts the program in a mode and returns once it printed {@code readyLine}: it is in its state. */
    static Process start(String mode, String readyLine) throws IOException {
        Process process = new ProcessBuilder(binary().toString(), mode).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!readyLine.equals(line)) {
            process.destroyForcibly();
            throw new IllegalStateException("unwindee " + mode + " printed " + line + " instead of " + readyLine);
        }
        return process;
    }

    /** Reads the next line the program prints (after a signal moved it on). */
    static String nextLine(Process process) throws IOException {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    /** Class initialization is the once-per-JVM lock. */
    private static final class Built {
        static final Path DIRECTORY = build();

        private static Path build() {
            Path output = RepositoryRoot.find().resolve("daemon/target/symbol/unwind");
            try {
                Files.createDirectories(output);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String> optimized = List.of("gcc", "-O2", "-fomit-frame-pointer");
            Commands.run(SOURCES, Map.of(), concat(optimized, List.of("-shared", "-fPIC", "-o",
                    output.resolve("libunwindee.so").toString(), "libunwindee.c")));
            Commands.run(SOURCES, Map.of(), concat(optimized, List.of("-pthread", "-o",
                    output.resolve("unwindee").toString(), "unwindee.c", "-L" + output, "-lunwindee",
                    "-Wl,-rpath," + output)));
            return output;
        }

        private static List<String> concat(List<String> first, List<String> second) {
            return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
        }
    }
}
