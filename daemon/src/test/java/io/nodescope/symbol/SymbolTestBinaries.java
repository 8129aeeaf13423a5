package io.nodescope.symbol;

import io.nodescope.testing.Commands;
import io.nodescope.testing.RepositoryRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The binaries of src/test/resources/symbol/, built with gcc, strip, objcopy and xz once per JVM:
 * target-pie, target-nopie, target-stripped, target-debuglink (+ .debug), target-buildid-only
 * (+ debug-root/usr/lib/debug/.build-id/...), target-minidebuginfo, libsymtest.so.
 */
final class SymbolTestBinaries {
    private SymbolTestBinaries() {}

    static Path directory() {
        return Built.DIRECTORY;
    }

    static Path file(String name) {
        return Built.DIRECTORY.resolve(name);
    }

    /** A binary built by a test, read with the daemon's own ELF reader. */
    static ElfFile parse(Path binary) throws IOException, MalformedSymbolDataException {
        return ElfFile.parse(MappedFiles.map(binary));
    }

    /** A symbol's value as `nm` reports it: the expected answer comes from binutils, not from our reader. */
    static long nmAddress(String binary, String symbol) {
        return nmAddressIn(file(binary), symbol);
    }

    static long nmAddressIn(Path binary, String symbol) {
        String output = Commands.run(binary.getParent(), Map.of(), List.of("nm", binary.toString()));
        for (String line : output.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 3 && fields[2].equals(symbol)) {
                return Long.parseUnsignedLong(fields[0], 16);
            }
        }
        throw new IllegalStateException(symbol + " not in nm " + binary + ":\n" + output);
    }

    /** Class initialization is the once-per-JVM lock. */
    private static final class Built {
        static final Path DIRECTORY = build();

        private static Path build() {
            Path root = RepositoryRoot.find();
            Path output = root.resolve("daemon/target/symbol-test-binaries");
            Commands.run(root, Map.of(),
                    List.of(root.resolve("daemon/src/test/resources/symbol/build-test-binaries.sh").toString(),
                            output.toString()));
            return output;
        }
    }
}
