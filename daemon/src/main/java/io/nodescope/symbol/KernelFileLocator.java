package io.nodescope.symbol;

import io.nodescope.event.KernelFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a file the kernel described (filesystem device, inode, path from the filesystem's root) on
 * the host, for frames whose process is gone: /proc/1/mountinfo says where each filesystem, or a
 * directory of it, is mounted, and the file is opened through /proc/1/root (the host's root, also
 * from a DaemonSet's own mount namespace); then the same through kthreadd, pid 2, whose mount
 * namespace and root are the kernel's first ones, the host's on a node, for where pid 1 refuses
 * the ptrace access check that /proc/1/root needs (an init that made itself undumpable, as a
 * Firecracker VM's does); then this process's own namespace. A candidate counts only if its device
 * and inode are the kernel's: a file replaced since, or a path that means another file, is never
 * used.
 *
 * <p>mountinfo is read per lookup (once for all the files of a stack), not cached: lookups happen
 * once per OOM kill, and mounts come and go with pods.
 *
 * <p>Limits: a filesystem mounted nowhere in the host's namespace (a container's private tmpfs) is
 * not found; btrfs subvolumes stat with a device of their own, so their files fail the check.
 */
final class KernelFileLocator {
    /** Where to open the file, and the host path it has (what a frame shows). */
    record Located(Path openPath, String hostPath) {}

    /** One line of mountinfo: filesystem device, the directory of it mounted, and where. */
    record Mount(int major, int minor, String root, String mountPoint) {}

    /** A mount namespace's mount table, and where its root is open to this process. */
    private record Namespace(Path mountInfo, Path root) {}

    private final List<Namespace> namespaces;
    private final SymbolFailures failures;

    /**
     * @param procRoot /proc, or a fake tree in tests
     * @param ownRoot  this process's root: its own mount namespace is searched after the host's,
     *                 for where /proc/1/root is denied (pid 1 in another user namespace, a
     *                 sandbox) and for a daemon run on the host itself
     */
    KernelFileLocator(Path procRoot, Path ownRoot, SymbolFailures failures) {
        this.namespaces = List.of(
                new Namespace(procRoot.resolve("1").resolve("mountinfo"), procRoot.resolve("1").resolve("root")),
                new Namespace(procRoot.resolve("2").resolve("mountinfo"), procRoot.resolve("2").resolve("root")),
                new Namespace(procRoot.resolve("self").resolve("mountinfo"), ownRoot));
        this.failures = failures;
    }

    /** The roots searched, host's first: where else to look for what a process's own root lacks. */
    List<Path> roots() {
        return namespaces.stream().map(Namespace::root).toList();
    }

    /**
     * Each file's place on the host, or empty (told to {@link SymbolFailures} with why each namespace
     * failed); every mount table is read once for all of them.
     */
    Map<KernelFile, Optional<Located>> locate(Collection<KernelFile> files) {
        Map<Namespace, MountTable> tables = new HashMap<>();
        Map<KernelFile, Optional<Located>> located = new HashMap<>();
        for (KernelFile file : files) {
            located.put(file, locate(file, tables));
        }
        return located;
    }

    private Optional<Located> locate(KernelFile file, Map<Namespace, MountTable> tables) {
        String described = file.pathInFilesystem().orElse("a truncated path") + " (device " + file.deviceMajor()
                + ":" + file.deviceMinor() + ", inode " + file.inode() + ")";
        if (file.pathInFilesystem().isEmpty()) {
            failures.notLocated(described, List.of("the kernel's path was too long"));
            return Optional.empty();
        }
        List<String> reasons = new ArrayList<>();
        for (Namespace namespace : namespaces) {
            MountTable table = tables.computeIfAbsent(namespace, KernelFileLocator::readMountInfo);
            if (table.unreadable().isPresent()) {
                reasons.add(table.unreadable().get());
                continue;
            }
            Optional<Located> found = locate(file, file.pathInFilesystem().get(), namespace, table.mounts(), reasons);
            if (found.isPresent()) {
                return found;
            }
        }
        failures.notLocated(described, reasons);
        return Optional.empty();
    }

    /** A namespace's mounts, or why they could not be read. */
    private record MountTable(List<Mount> mounts, Optional<String> unreadable) {}

    private static MountTable readMountInfo(Namespace namespace) {
        try {
            return new MountTable(parseMountInfo(Files.readAllLines(namespace.mountInfo())), Optional.empty());
        } catch (IOException e) {
            return new MountTable(List.of(), Optional.of(namespace.mountInfo() + ": " + SymbolFailures.reason(e)));
        }
    }

    private static Optional<Located> locate(KernelFile file, String pathInFilesystem, Namespace namespace,
                                            List<Mount> mounts, List<String> reasons) {
        boolean deviceMounted = false;
        for (Mount mount : mounts) {
            if (mount.major() != file.deviceMajor() || mount.minor() != file.deviceMinor()) {
                continue;
            }
            deviceMounted = true;
            Optional<String> hostPath = hostPath(mount, pathInFilesystem);
            if (hostPath.isPresent()) {
                Path openPath = namespace.root().resolve(hostPath.get().substring(1));
                Optional<String> mismatch = mismatch(openPath, file);
                if (mismatch.isEmpty()) {
                    return Optional.of(new Located(openPath, hostPath.get()));
                }
                reasons.add(mismatch.get());
            }
        }
        if (!deviceMounted) {
            reasons.add(namespace.mountInfo() + ": device not mounted");
        }
        return Optional.empty();
    }

    /** The path under this mount, if the mounted directory contains the file. */
    static Optional<String> hostPath(Mount mount, String pathInFilesystem) {
        String root = mount.root().equals("/") ? "" : mount.root();
        if (!root.isEmpty() && !pathInFilesystem.startsWith(root + "/")) {
            return Optional.empty();
        }
        String mountPoint = mount.mountPoint().equals("/") ? "" : mount.mountPoint();
        return Optional.of(mountPoint + pathInFilesystem.substring(root.length()));
    }

    /** Empty if the path is the kernel's file, else why not. */
    private static Optional<String> mismatch(Path path, KernelFile file) {
        try {
            FileIdentity found = FileIdentity.of(path);
            boolean same = found.inode() == file.inode() && deviceMajor(found.device()) == file.deviceMajor()
                    && deviceMinor(found.device()) == file.deviceMinor();
            return same ? Optional.empty() : Optional.of(path + ": another file (inode " + found.inode() + ")");
        } catch (IOException e) {
            return Optional.of(path + ": " + SymbolFailures.reason(e));
        }
    }

    /** st_dev as glibc's major() decodes it (the kernel's new_encode_dev, 64-bit). */
    static int deviceMajor(long device) {
        return (int) (((device >>> 8) & 0xfff) | ((device >>> 32) & 0xfffff000L));
    }

    static int deviceMinor(long device) {
        return (int) ((device & 0xff) | ((device >>> 12) & 0xffffff00L));
    }

    /** Lines it cannot read are skipped: one odd mount must not hide the others. */
    static List<Mount> parseMountInfo(List<String> lines) {
        List<Mount> mounts = new ArrayList<>(lines.size());
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length < 5) {
                continue;
            }
            String[] device = fields[2].split(":");
            try {
                mounts.add(new Mount(Integer.parseInt(device[0]), Integer.parseInt(device[1]),
                        unescape(fields[3]), unescape(fields[4])));
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                // Not a mountinfo line.
            }
        }
        return mounts;
    }

    /** mountinfo writes space, tab, newline and backslash in paths as \ooo octal escapes. */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String field, int from) {
        if (from + 3 > field.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (field.charAt(i) < '0' || field.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
