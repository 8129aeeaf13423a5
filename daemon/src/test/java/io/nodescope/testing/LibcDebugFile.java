package io.nodescope.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Whether the host has the debug file of its libc (Debian's libc6-dbg): without it libc's local
 * functions (__libc_start_call_main, memset's implementations) have no name to show.
 */
public final class LibcDebugFile {
    private LibcDebugFile() {}

    public static boolean onHost() {
        Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6"); // Debian's; the check is skipped elsewhere
        if (!Files.exists(libc)) {
            return false;
        }
        String notes = Commands.run(Path.of("/"), Map.of(), List.of("readelf", "-n", libc.toString()));
        return notes.lines().map(String::strip).filter(line -> line.startsWith("Build ID: ")).findFirst()
                .map(line -> line.substring("Build ID: ".length()))
                .map(id -> Files.exists(Path.of("/usr/lib/debug/.build-id", id.substring(0, 2), id.substring(2) + ".debug")))
                .orElse(false);
    }
}
