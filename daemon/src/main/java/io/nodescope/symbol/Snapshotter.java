package io.nodescope.symbol;

import io.nodescope.event.KernelFile;
import io.nodescope.event.StackMappings;
import io.nodescope.event.UserFrameFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Takes {@link ProcessSnapshot}s. The exit race is decided here: an OOM victim or a crashing process is
 * gone milliseconds after its event, taking /proc/pid/maps, /proc/pid/map_files and /proc/pid/root
 * with it. So at event arrival, and only then, this reads the maps and opens every executable file
 * not already indexed (a stat and an open each, no parsing); the expensive indexing happens later
 * from the open descriptors, and its result is cached by file identity and build-id, so the next
 * process mapping the same file costs a stat.
 *
 * <p>Limits: a process gone before its snapshot yields an empty one (its frames keep their addresses
 * only); a pid reused between the event and the snapshot would be read as the new process (a pid
 * wrap-around within milliseconds; comparing the event's task start time with /proc/pid/stat is the
 * caller's guard); debug files inside the container are found only while its root is reachable.
 */
final class Snapshotter {
    private final Path procRoot;
    private final KernelFileLocator kernelFiles;
    private final WeightedLruCache<FileIdentity, ModuleSymbols> modulesByFile;
    private final SymbolFailures failures;

    Snapshotter(Path procRoot, Path hostRoot, WeightedLruCache<FileIdentity, ModuleSymbols> modulesByFile,
                SymbolFailures failures) {
        this.procRoot = procRoot;
        this.kernelFiles = new KernelFileLocator(procRoot, hostRoot, failures);
        this.modulesByFile = modulesByFile;
        this.failures = failures;
    }

    ProcessSnapshot snapshot(int pid) {
        Path processDirectory = procRoot.resolve(Integer.toString(pid));
        Path processRoot = processDirectory.resolve("root");
        List<MappedRegion> executable;
        try {
            executable = ProcessMaps.parse(Files.readString(processDirectory.resolve("maps"))).stream()
                    .filter(MappedRegion::executable)
                    .sorted((a, b) -> Long.compareUnsigned(a.start(), b.start())) // [vsyscall] sits at 0xffffffffff600000.
                    .toList();
        } catch (IOException e) {
            failures.unreadable(processDirectory.resolve("maps"), e); // Gone already, or not ours to read.
            return new ProcessSnapshot(pid, List.of(), Optional.empty(), "", debugFileRoots(Optional.empty()));
        }
        Map<FileIdentity, PinnedFile<ModuleSymbols>> pinnedByIdentity = new HashMap<>();
        List<SnapshotRegion> regions = new ArrayList<>(executable.size());
        boolean hasAnonymousCode = false;
        for (MappedRegion region : executable) {
            hasAnonymousCode |= region.path().isEmpty();
            Optional<PinnedFile<ModuleSymbols>> module = region.fileBacked()
                    ? pinModule(processDirectory, processRoot, region, pinnedByIdentity)
                    : Optional.empty();
            regions.add(new SnapshotRegion(region, module));
        }
        String perfMapName = "/tmp/perf-" + namespacePid(processDirectory).orElse(pid) + ".map";
        Optional<PinnedFile<SymbolTable>> perfMap = hasAnonymousCode
                ? pinWithIdentity(processRoot.resolve(perfMapName.substring(1)))
                : Optional.empty();
        return new ProcessSnapshot(pid, regions, perfMap, perfMapName, debugFileRoots(Optional.of(processRoot)));
    }

    /**
     * For a process already gone: one region per address the kernel located in a file at the event
     * (its offset there), the file found on the host by {@link KernelFileLocator}. Addresses it did
     * not locate, or whose file is not found, get no region and keep their bare address.
     */
    ProcessSnapshot fromKernelFiles(int pid, List<Long> addresses, UserFrameFiles frameFiles) {
        int frames = Math.min(addresses.size(), frameFiles.frames().size());
        List<KernelFile> files = frameFiles.frames().subList(0, frames).stream().flatMap(Optional::stream)
                .map(UserFrameFiles.FileLocation::file).distinct().toList();
        Map<KernelFile, Optional<KernelFileLocator.Located>> locatedFiles = kernelFiles.locate(files);
        Map<FileIdentity, PinnedFile<ModuleSymbols>> pinnedByIdentity = new HashMap<>();
        Map<Long, SnapshotRegion> regionsByAddress = new HashMap<>();
        for (int frame = 0; frame < frames; frame++) {
            long address = addresses.get(frame);
            Optional<UserFrameFiles.FileLocation> location = frameFiles.frames().get(frame);
            Optional<KernelFileLocator.Located> located = location.flatMap(at -> locatedFiles.get(at.file()));
            if (located.isEmpty() || regionsByAddress.containsKey(address)) {
                continue;
            }
            // A region of the address and the byte before it (where a caller frame is named, see
            // UserSymbolizer#lookupAddress), mapped at the frame's offset: the symbolizer's
            // address-to-file-offset arithmetic then holds as for a region from /proc/pid/maps.
            long before = Math.min(1, location.get().offset());
            MappedRegion region = new MappedRegion(address - before, address + 1, true,
                    location.get().offset() - before, location.get().file().inode(),
                    Optional.of(located.get().hostPath()), false);
            regionsByAddress.put(address, new SnapshotRegion(region,
                    pinFirst(located.get().hostPath(), List.of(located.get().openPath()), pinnedByIdentity)));
        }
        List<SnapshotRegion> regions = regionsByAddress.values().stream()
                .sorted((a, b) -> Long.compareUnsigned(a.region().start(), b.region().start()))
                .toList();
        return new ProcessSnapshot(pid, regions, Optional.empty(), "", debugFileRoots(Optional.empty()));
    }

    /**
     * For unwinding a stack captured at an event: the executable mappings the kernel recorded for it
     * (files found on the host by {@link KernelFileLocator}, checked by device and inode), completed
     * by the regions of the live process's snapshot, taken at arrival, that overlap none of them
     * (what the kernel did not record, or recorded in a file not found on the host). The result
     * borrows the live snapshot's files: close it before the live one, which stays usable.
     */
    ProcessSnapshot withStackMappings(int pid, StackMappings mappings, Optional<ProcessSnapshot> live) {
        Map<KernelFile, Optional<KernelFileLocator.Located>> locatedFiles = kernelFiles.locate(
                mappings.mappings().stream().map(StackMappings.Mapping::file).distinct().toList());
        Map<FileIdentity, PinnedFile<ModuleSymbols>> pinnedByIdentity = new HashMap<>();
        List<SnapshotRegion> recorded = new ArrayList<>();
        for (StackMappings.Mapping mapping : mappings.mappings()) {
            Optional<KernelFileLocator.Located> located = locatedFiles.get(mapping.file());
            if (located.isEmpty()) {
                continue;
            }
            MappedRegion region = new MappedRegion(mapping.start(), mapping.end(), true, mapping.fileOffset(),
                    mapping.file().inode(), Optional.of(located.get().hostPath()), false);
            recorded.add(new SnapshotRegion(region,
                    pinFirst(located.get().hostPath(), List.of(located.get().openPath()), pinnedByIdentity)));
        }
        List<SnapshotRegion> borrowed = live.map(ProcessSnapshot::regions).orElse(List.of()).stream()
                .filter(region -> recorded.stream().noneMatch(kept -> overlap(kept.region(), region.region())))
                .toList();
        List<SnapshotRegion> regions = new ArrayList<>(recorded);
        regions.addAll(borrowed);
        regions.sort((a, b) -> Long.compareUnsigned(a.region().start(), b.region().start()));
        return live.map(snapshot -> snapshot.withRegions(regions, recorded))
                .orElseGet(() -> new ProcessSnapshot(pid, regions, Optional.empty(), "",
                        debugFileRoots(Optional.empty())));
    }

    private static boolean overlap(MappedRegion a, MappedRegion b) {
        return Long.compareUnsigned(a.start(), b.end()) < 0 && Long.compareUnsigned(b.start(), a.end()) < 0;
    }

    /**
     * Through map_files first: it reaches the exact file mapped even when it was deleted or replaced on
     * disk, or when the path means something else in the daemon's mount namespace. It needs
     * CAP_SYS_ADMIN before Linux 6.x's relaxations, so /proc/pid/root/path is the fallback.
     */
    private Optional<PinnedFile<ModuleSymbols>> pinModule(Path processDirectory, Path processRoot, MappedRegion region,
                                                          Map<FileIdentity, PinnedFile<ModuleSymbols>> pinnedByIdentity) {
        String path = region.path().orElseThrow();
        return pinFirst(path, List.of(processDirectory.resolve("map_files").resolve(region.mapFilesName()),
                processRoot.resolve(path.substring(1))), pinnedByIdentity);
    }

    /** The first of these paths that opens (or whose file is indexed already), one pin per file. */
    private Optional<PinnedFile<ModuleSymbols>> pinFirst(String file, List<Path> candidates,
                                                         Map<FileIdentity, PinnedFile<ModuleSymbols>> pinnedByIdentity) {
        List<SymbolFailures.Attempt> attempts = new ArrayList<>(candidates.size());
        for (Path path : candidates) {
            FileIdentity identity;
            try {
                identity = FileIdentity.of(path);
            } catch (IOException e) {
                attempts.add(new SymbolFailures.Attempt(path, e));
                continue;
            }
            PinnedFile<ModuleSymbols> pinned = pinnedByIdentity.get(identity);
            if (pinned == null) {
                Optional<ModuleSymbols> cached = modulesByFile.get(identity);
                if (cached.isPresent()) {
                    pinned = PinnedFile.alreadyParsed(identity, cached.get());
                } else {
                    try {
                        pinned = PinnedFile.open(identity, FileChannel.open(path, StandardOpenOption.READ));
                    } catch (IOException e) {
                        attempts.add(new SymbolFailures.Attempt(path, e));
                        continue;
                    }
                }
                pinnedByIdentity.put(identity, pinned);
            }
            return Optional.of(pinned);
        }
        failures.unreadable(file, attempts);
        return Optional.empty();
    }

    private static <T> Optional<PinnedFile<T>> pin(FileIdentity identity, Path path) {
        try {
            return Optional.of(PinnedFile.open(identity, FileChannel.open(path, StandardOpenOption.READ)));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static <T> Optional<PinnedFile<T>> pinWithIdentity(Path path) {
        try {
            return pin(FileIdentity.of(path), path);
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty(); // No perf map: the JIT was not asked to write one.
        }
    }

    /** A JIT names its perf map by the pid it sees: inside a container, the innermost NSpid. */
    private static Optional<Integer> namespacePid(Path processDirectory) {
        try {
            for (String line : Files.readAllLines(processDirectory.resolve("status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] pids = line.substring("NSpid:".length()).trim().split("\\s+");
                    return Optional.of(Integer.parseInt(pids[pids.length - 1]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Fall back to the host pid, right for every process outside a pid namespace.
        }
        return Optional.empty();
    }

    /**
     * Where debug files are looked up: the process's root (its container's /usr/lib/debug), then the
     * host's, then the daemon's own; each directory once, and only those this daemon can reach. From
     * a DaemonSet the host's root is /proc/1/root or kthreadd's: the daemon's own root is its image,
     * whose libc (the same build as the host's, often) has no debug file.
     */
    private List<Path> debugFileRoots(Optional<Path> processRoot) {
        List<Path> roots = new ArrayList<>();
        for (Path candidate : Stream.concat(processRoot.stream(), kernelFiles.roots().stream()).toList()) {
            if (Files.isDirectory(candidate) && roots.stream().noneMatch(kept -> sameFile(kept, candidate))) {
                roots.add(candidate);
            }
        }
        return roots;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
