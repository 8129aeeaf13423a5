package io.nodescope.symbol;

import io.nodescope.testing.Commands;
import io.nodescope.testing.RepositoryRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * src/test/resources/symbol/go built with the go on PATH (Debian's golang-go), once per JVM, plain,
 * stripped with -s -w, and position-independent, and what Go's own tools say about it: symbol addresses from
 * {@code go tool nm} and per-instruction file:line from {@code go tool objdump}, the expected
 * values of the pclntab tests.
 */
final class GoTestProgram {
    /** An instruction as go tool objdump prints it: "  main.go:23\t\t0x4810dc\t\teb37\t\tJMP ...". */
    private static final Pattern OBJDUMP_LINE = Pattern.compile("^\\s+(\\S+):(\\d+)\\s+0x([0-9a-f]+)\\s");

    record Instruction(long pc, String fileBaseName, int line) {}

    private GoTestProgram() {}

    static Path plain() {
        return Built.DIRECTORY.resolve("plain");
    }

    static Path stripped() {
        return Built.DIRECTORY.resolve("stripped");
    }

    /** -buildmode=pie: loaded at a random address, its pclntab in RELRO with a relocated text start. */
    static Path pie() {
        return Built.DIRECTORY.resolve("pie");
    }

    /** Symbol name to address for the text and read-only data symbols of the plain binary. */
    static Map<String, Long> symbols() {
        return symbols(plain());
    }

    static Map<String, Long> symbols(Path binary) {
        Map<String, Long> symbols = new HashMap<>();
        for (String line : go("tool", "nm", binary.toString()).split("\n")) {
            String[] fields = line.trim().split("\\s+", 3);
            if (fields.length == 3 && (fields[1].equals("T") || fields[1].equals("t") || fields[1].equals("r"))) {
                symbols.put(fields[2], Long.parseUnsignedLong(fields[0], 16));
            }
        }
        return symbols;
    }

    /** Every instruction of {@code function} in the plain binary with its innermost file:line. */
    static List<Instruction> instructions(String function) {
        return instructions(plain(), function);
    }

    static List<Instruction> instructions(Path binary, String function) {
        return go("tool", "objdump", "-s", "^" + Pattern.quote(function) + "$", binary.toString()).lines()
                .map(OBJDUMP_LINE::matcher)
                .filter(Matcher::find)
                .map(m -> new Instruction(Long.parseUnsignedLong(m.group(3), 16), m.group(1),
                        Integer.parseInt(m.group(2))))
                .toList();
    }

    /** Class initialization is the once-per-JVM lock: the build runs on first use only. */
    private static final class Built {
        static final Path DIRECTORY = build();
    }

    private static Path build() {
        Path root = RepositoryRoot.find();
        Path source = root.resolve("daemon/src/test/resources/symbol/go");
        // Under target/ so `mvn clean` removes it and parallel checkouts never share it.
        Path output = root.resolve("daemon/target/symbol/go");
        try {
            Files.createDirectories(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Commands.run(source, environment(output), List.of("go", "build", "-o", output.resolve("plain").toString(), "."));
        Commands.run(source, environment(output),
                List.of("go", "build", "-ldflags=-s -w", "-o", output.resolve("stripped").toString(), "."));
        Commands.run(source, environment(output),
                List.of("go", "build", "-buildmode=pie", "-o", output.resolve("pie").toString(), "."));
        return output;
    }

    private static String go(String... arguments) {
        Path output = Built.DIRECTORY;
        List<String> command = new ArrayList<>(List.of("go"));
        command.addAll(List.of(arguments));
        return Commands.run(output, environment(output), command);
    }

    /** A build cache inside target/: the test must not depend on, or write to, the user's home. */
    private static Map<String, String> environment(Path output) {
        return Map.of("GOCACHE", output.resolve("cache").toString(), "HOME", output.toString(),
                "GOFLAGS", "-mod=mod", "GOTOOLCHAIN", "local", "CGO_ENABLED", "0");
    }
}
