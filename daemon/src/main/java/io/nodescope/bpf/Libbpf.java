package io.nodescope.bpf;

import me.bechberger.ebpf.bpf.raw.Lib;
import me.bechberger.ebpf.bpf.raw.libbpf_print_fn_t;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Loads the system's libbpf for the rawbpf bindings and routes libbpf's log into ours.
 *
 * <p>rawbpf binds its functions through the class loader's symbol lookup, so libbpf must be
 * System.load-ed from this class loader before the first binding is touched. rawbpf's own
 * LibraryLoader.load() is never called: it System.exit()s when it cannot find the library, and
 * a first failed binding poisons that function's class for the life of the JVM.
 */
final class Libbpf {
    private static final System.Logger LOG = System.getLogger("nodescope.libbpf");
    /** NODESCOPE_LIBBPF names another libbpf.so.1 (e.g. a newer build) to use. */
    private static final String OVERRIDE_ENV = "NODESCOPE_LIBBPF";
    private static final List<String> SEARCH_PATHS = List.of(
            "/usr/lib/x86_64-linux-gnu/libbpf.so.1", "/lib/x86_64-linux-gnu/libbpf.so.1",
            "/usr/lib/aarch64-linux-gnu/libbpf.so.1", "/lib/aarch64-linux-gnu/libbpf.so.1",
            "/usr/lib64/libbpf.so.1", "/usr/lib/libbpf.so.1");
    /** Only libbpf 1.x API is used; 1.1 is the oldest we test (Debian 12). */
    private static final int MIN_MINOR_VERSION = 1;

    private static boolean loaded;
    /** The upcall stub must stay reachable for as long as libbpf may call it: the JVM's life. */
    private static MemorySegment printCallback;

    private Libbpf() {}

    static synchronized void ensureLoaded() throws BpfSetupException {
        if (loaded) {
            return;
        }
        Path library = locate().orElseThrow(() -> new BpfSetupException(
                "libbpf.so.1 not found: install libbpf1 (apt-get install libbpf1) or set " + OVERRIDE_ENV
                        + " to its path"));
        try {
            System.load(library.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new BpfSetupException("cannot load " + library + ": " + e.getMessage()
                    + "; install libbpf1 (apt-get install libbpf1)", e);
        }
        int major = Lib.libbpf_major_version();
        int minor = Lib.libbpf_minor_version();
        if (major != 1 || minor < MIN_MINOR_VERSION) {
            throw new BpfSetupException("libbpf " + major + "." + minor + " at " + library
                    + " is not supported: nodescope needs libbpf 1." + MIN_MINOR_VERSION + " or newer 1.x");
        }
        routeLogs();
        loaded = true;
        LOG.log(System.Logger.Level.DEBUG, "using libbpf {0}.{1} from {2}", major, minor, library);
    }

    private static Optional<Path> locate() {
        String override = System.getenv(OVERRIDE_ENV);
        if (override != null && !override.isBlank()) {
            return Optional.of(Path.of(override)).filter(Files::isReadable);
        }
        return SEARCH_PATHS.stream().map(Path::of).filter(Files::isReadable).findFirst();
    }

    /**
     * libbpf prints to native stderr unless told otherwise. It hands a va_list, which FFM cannot
     * read since JDK 22, so the format and va_list go straight to libc's vsnprintf. An exception
     * escaping an upcall kills the JVM: everything inside is caught.
     */
    private static void routeLogs() {
        printCallback = libbpf_print_fn_t.allocate((level, format, args) -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buffer = arena.allocate(1024);
                Lib.vsnprintf(buffer, buffer.byteSize(), format, args);
                String line = buffer.getString(0).stripTrailing();
                LOG.log(level == Lib.LIBBPF_WARN() ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                        line);
            } catch (Throwable ignored) {
                // Nothing may escape an upcall; a lost libbpf log line is the lesser harm.
            }
            return 0;
        }, Arena.global());
        Lib.libbpf_set_print(printCallback);
    }

    static String strerror(int error) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(256);
            Lib.libbpf_strerror(Math.abs(error), buffer, buffer.byteSize());
            return buffer.getString(0);
        }
    }
}
