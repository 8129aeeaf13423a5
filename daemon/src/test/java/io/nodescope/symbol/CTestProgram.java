package io.nodescope.symbol;

import io.nodescope.testing.Commands;
import io.nodescope.testing.RepositoryRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * src/test/resources/symbol/c built with gcc under the DWARF flags a test names, and what binutils
 * says about it: function ranges from nm, file:line from addr2line, the expected values of the
 * .debug_line tests.
 */
final class CTestProgram {
    record Function(String name, long start, long size) {}

    private CTestProgram() {}

    /** Builds into target/symbol/c/{@code variant}; gcc is quick, so no cache across tests. */
    static Path build(String variant, List<String> flags) {
        Path root = RepositoryRoot.find();
        Path source = root.resolve("daemon/src/test/resources/symbol/c");
        Path output = root.resolve("daemon/target/symbol/c/" + variant);
        try {
            Files.createDirectories(output.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of("gcc", "-O1", "-o", output.toString()));
        command.addAll(flags);
        command.addAll(List.of("prog.c", "allocate.c"));
        Commands.run(source, Map.of(), command);
        return output;
    }

    /** The program's own global functions with their sizes (nm -S), not the C runtime's. */
    static List<Function> functions(Path binary) {
        return List.copyOf(functions(binary, List.of("main", "allocate_block")).values());
    }

    /** The named global functions of a binary with their sizes, as nm -S gives them. */
    static Map<String, Function> functions(Path binary, List<String> names) {
        Map<String, Function> functions = new LinkedHashMap<>();
        for (String line : Commands.run(binary.getParent(), Map.of(), List.of("nm", "-S", binary.toString())).split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 4 && fields[2].equals("T") && names.contains(fields[3])) {
                functions.put(fields[3], new Function(fields[3], Long.parseUnsignedLong(fields[0], 16),
                        Long.parseUnsignedLong(fields[1], 16)));
            }
        }
        return functions;
    }

    /** addr2line's answer for each address, in order: "path:line", "??:0" where it knows nothing. */
    static List<String> addr2line(Path binary, List<Long> addresses) {
        List<String> command = new ArrayList<>(List.of("addr2line", "-e", binary.toString()));
        addresses.forEach(address -> command.add(Long.toHexString(address)));
        return Commands.run(binary.getParent(), Map.of(), command).lines()
                // "(discriminator N)" distinguishes basic blocks on one line; the line is what counts.
                .map(line -> line.replaceFirst(" \\(discriminator \\d+\\)$", ""))
                .toList();
    }
}
