package io.nodescope.symbol;

import io.nodescope.metrics.Counter;
import io.nodescope.metrics.MetricsRegistry;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Why lookups gave no name, counted by cause on /metrics and told, file and error, in a debug log
 * line: a gap in a new deployment (a capability missing, a mount namespace out of reach) must show in
 * the daemon's own output. A rising malformed count points at a hostile or exotic binary,
 * permission_denied at missing privileges, no_such_file at a process gone before its snapshot.
 */
final class SymbolFailures {
    private static final System.Logger LOG = System.getLogger("nodescope.symbol");
    /** The reason Java gives EPERM (it maps only EACCES to AccessDeniedException). */
    private static final String EPERM_REASON = "Operation not permitted";

    private final Counter malformed;
    private final Counter permissionDenied;
    private final Counter noSuchFile;
    private final Counter unreadable;
    private final Counter notLocated;
    private final Counter kernelAddressesHidden;
    private final Counter unexpected;
    final Counter unresolvedFrames;
    final Counter resolvedFrames;

    SymbolFailures(MetricsRegistry metrics) {
        String failures = "nodescope_symbol_failures_total";
        String help = "Files the symbolizer could not use, by cause";
        malformed = metrics.counter(failures, help, "cause", "malformed");
        // EACCES or EPERM: a privilege the daemon lacks (a capability, a ptrace access check).
        permissionDenied = metrics.counter(failures, help, "cause", "permission_denied");
        // ENOENT: the process exited, or the file was removed, before it was opened.
        noSuchFile = metrics.counter(failures, help, "cause", "no_such_file");
        // Any other I/O error.
        unreadable = metrics.counter(failures, help, "cause", "unreadable");
        // A file the kernel located at the event that no reachable mount namespace holds (any more).
        notLocated = metrics.counter(failures, help, "cause", "not_located");
        // /proc/kallsyms read with every address 0: no CAP_SYSLOG, or kptr_restrict=2.
        kernelAddressesHidden = metrics.counter(failures, help, "cause", "kernel_addresses_hidden");
        // A parser bug met by input nobody foresaw: caught so one binary cannot stop the pipeline.
        unexpected = metrics.counter(failures, help, "cause", "unexpected");
        String frames = "nodescope_symbol_frames_total";
        String framesHelp = "Frames symbolized, by whether a function name was found";
        resolvedFrames = metrics.counter(frames, framesHelp, "result", "resolved");
        unresolvedFrames = metrics.counter(frames, framesHelp, "result", "unresolved");
    }

    /** A file that could not be opened or read; each attempt is told, the last one counted. */
    void unreadable(String what, List<Attempt> attempts) {
        if (attempts.isEmpty()) {
            return;
        }
        IOException last = attempts.getLast().cause();
        counterFor(last).increment();
        if (LOG.isLoggable(Level.DEBUG)) {
            StringBuilder line = new StringBuilder("cannot read ").append(what);
            for (Attempt attempt : attempts) {
                line.append("; ").append(attempt.path()).append(": ").append(reason(attempt.cause()));
            }
            LOG.log(Level.DEBUG, line.toString());
        }
    }

    void unreadable(Path file, IOException cause) {
        unreadable(file.toString(), List.of(new Attempt(file, cause)));
    }

    void notLocated(String file, List<String> reasons) {
        notLocated.increment();
        LOG.log(Level.DEBUG, () -> "cannot find " + file + " as the kernel described it: " + String.join("; ", reasons));
    }

    /** A warning, not a debug line: every kernel frame loses its name until the daemon is restarted with the fix. */
    void kernelAddressesHidden(Path kallsyms) {
        kernelAddressesHidden.increment();
        LOG.log(Level.WARNING, kallsyms + " shows every address as 0, so kernel frames stay unnamed: grant "
                + "CAP_SYSLOG (and keep kernel.kptr_restrict below 2)");
    }

    void malformed(String file, MalformedSymbolDataException cause) {
        malformed.increment();
        LOG.log(Level.DEBUG, () -> "cannot parse " + file + ": " + cause.getMessage());
    }

    void unexpected(String file, RuntimeException cause) {
        unexpected.increment();
        LOG.log(Level.DEBUG, "parsing " + file + " failed unexpectedly", cause);
    }

    /** One path tried for a file, and why it failed. */
    record Attempt(Path path, IOException cause) {}

    private Counter counterFor(IOException cause) {
        if (cause instanceof AccessDeniedException || EPERM_REASON.equals(reasonOf(cause))) {
            return permissionDenied;
        }
        return cause instanceof NoSuchFileException ? noSuchFile : unreadable;
    }

    /** The errno as the kernel words it (strerror), which is what FileSystemException carries. */
    static String reason(IOException cause) {
        if (cause instanceof AccessDeniedException && reasonOf(cause) == null) {
            return "Permission denied (EACCES)";
        }
        if (cause instanceof NoSuchFileException && reasonOf(cause) == null) {
            return "No such file or directory (ENOENT)";
        }
        String reason = reasonOf(cause);
        return reason != null ? reason : cause.toString();
    }

    private static String reasonOf(IOException cause) {
        return cause instanceof FileSystemException fileSystem ? fileSystem.getReason() : null;
    }
}
