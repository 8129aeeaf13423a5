package io.nodescope.symbol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Finds the separate debug file of a stripped binary the way gdb does: by build-id under
 * /usr/lib/debug/.build-id/, then by .gnu_debuglink next to the binary, in its .debug/ directory and
 * under /usr/lib/debug/. A candidate counts only if its build-id matches or, for a debug link, the
 * CRC32 of its contents does: a stale debug file from an older package would name the wrong functions.
 *
 * <p>Candidates are looked up under each given root in order: the process's root (/proc/pid/root, the
 * container's filesystem, while the process lives) then the host's. A container's absolute symlinks
 * resolve against the daemon's root, not the container's; the build-id and CRC checks make such a
 * detour harmless (a wrong file is rejected, never used).
 */
final class DebugFileLocator {
    private static final String DEBUG_DIRECTORY = "usr/lib/debug";

    private final CandidateFailures failures;

    /** A candidate that exists but cannot be read or parsed is skipped and reported here. */
    interface CandidateFailures {
        void unreadable(Path candidate, IOException cause);

        void malformed(Path candidate, MalformedSymbolDataException cause);
    }

    DebugFileLocator(CandidateFailures failures) {
        this.failures = failures;
    }

    /**
     * @param binaryPath the binary's path as the process sees it (from its maps), absolute
     * @param roots      filesystem roots to look under, in order of preference
     */
    Optional<ElfFile> locate(ElfFile binary, String binaryPath, List<Path> roots) throws MalformedSymbolDataException {
        Optional<String> buildId = binary.buildId();
        Optional<ElfFile.DebugLink> link = binary.debugLink();
        for (Path root : roots) {
            if (buildId.isPresent() && buildId.get().length() > 2) {
                String id = buildId.get();
                Path candidate = root.resolve(DEBUG_DIRECTORY).resolve(".build-id")
                        .resolve(id.substring(0, 2)).resolve(id.substring(2) + ".debug");
                Optional<ElfFile> found = open(candidate, (bytes, file) -> file.buildId().equals(buildId));
                if (found.isPresent()) {
                    return found;
                }
            }
            if (link.isPresent()) {
                for (Path candidate : debugLinkCandidates(root, binaryPath, link.get().fileName())) {
                    int expectedCrc = link.get().crc32();
                    Optional<ElfFile> found = open(candidate, (bytes, file) -> hasCrc(bytes, expectedCrc));
                    if (found.isPresent()) {
                        return found;
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static List<Path> debugLinkCandidates(Path root, String binaryPath, String linkName) {
        Path directory = Path.of(binaryPath).getParent();
        List<Path> candidates = new ArrayList<>(3);
        if (directory == null || !directory.isAbsolute()) {
            return candidates;
        }
        Path inRoot = root.resolve(directory.toString().substring(1));
        candidates.add(inRoot.resolve(linkName));
        candidates.add(inRoot.resolve(".debug").resolve(linkName));
        candidates.add(root.resolve(DEBUG_DIRECTORY).resolve(directory.toString().substring(1)).resolve(linkName));
        return candidates;
    }

    private interface Acceptance {
        boolean accepts(ByteBuffer bytes, ElfFile candidate) throws MalformedSymbolDataException;
    }

    private static boolean hasCrc(ByteBuffer bytes, int expectedCrc) {
        CRC32 crc = new CRC32();
        crc.update(bytes.duplicate());
        return (int) crc.getValue() == expectedCrc;
    }

    private Optional<ElfFile> open(Path candidate, Acceptance acceptance) {
        if (!Files.isRegularFile(candidate)) {
            return Optional.empty();
        }
        try {
            ByteBuffer bytes = MappedFiles.map(candidate);
            ElfFile file = ElfFile.parse(bytes);
            return acceptance.accepts(bytes, file) ? Optional.of(file) : Optional.empty();
        } catch (IOException e) {
            failures.unreadable(candidate, e);
            return Optional.empty();
        } catch (MalformedSymbolDataException e) {
            failures.malformed(candidate, e);
            return Optional.empty();
        }
    }
}
