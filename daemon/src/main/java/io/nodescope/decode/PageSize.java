package io.nodescope.decode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The kernel's page size: BPF reports memory in pages (4 KiB on x86_64, up to 64 KiB on arm64). */
public final class PageSize {
    private static final long DEFAULT = 4096;

    private PageSize() {}

    /** Read from /proc/self/smaps (KernelPageSize) so no native call is needed. */
    public static long ofThisKernel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/smaps"))) {
            return lines.filter(line -> line.startsWith("KernelPageSize:"))
                    .findFirst()
                    .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024)
                    .orElse(DEFAULT);
        } catch (IOException | NumberFormatException e) {
            return DEFAULT;
        }
    }
}
