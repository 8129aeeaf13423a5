package io.nodescope.proc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A process's /proc/&lt;pid&gt;/cgroup: one "hierarchy-id:controllers:path" line per hierarchy,
 * e.g. "4:memory:/kubepods/burstable/pod.../...", "1:name=systemd:/..." or "0::/..." (v2).
 */
record ProcessCgroups(List<Entry> entries) {
    record Entry(int hierarchyId, List<String> controllers, String path) {}

    ProcessCgroups {
        entries = List.copyOf(entries);
    }

    /** Lines that do not have the three fields are skipped: the file is the kernel's, but the input is ours to distrust. */
    static ProcessCgroups parse(String content) {
        List<Entry> entries = new ArrayList<>();
        for (String line : content.split("\n")) {
            String[] fields = line.split(":", 3);
            if (fields.length != 3 || !fields[2].startsWith("/")) {
                continue;
            }
            try {
                List<String> controllers = fields[1].isEmpty() ? List.of() : List.of(fields[1].split(","));
                entries.add(new Entry(Integer.parseInt(fields[0]), controllers, fields[2]));
            } catch (NumberFormatException malformed) {
                // Not a cgroup line: skip it like the others that do not parse.
            }
        }
        return new ProcessCgroups(entries);
    }

    Optional<String> pathIn(CgroupHierarchy hierarchy) {
        return entries.stream().filter(hierarchy::isNamedBy).map(Entry::path).findFirst();
    }

    /**
     * Whether a path read from /proc/&lt;pid&gt;/cgroup names the cgroup at absolutePath (from the
     * hierarchy's root). The kernel prints the path relative to the reader's cgroup namespace:
     * a daemon in a container with a private namespace (the default on cgroup v2) reads
     * "/../../kubepods-burstable.slice/..." for a cgroup outside its own, so what follows the
     * last ".." must end the absolute path.
     */
    static boolean sameCgroup(String absolutePath, String pathSeenFromNamespace) {
        int up = pathSeenFromNamespace.lastIndexOf("/..");
        if (up < 0) {
            return absolutePath.equals(pathSeenFromNamespace);
        }
        String below = pathSeenFromNamespace.substring(up + "/..".length());
        return !below.isEmpty() && absolutePath.endsWith(below);
    }
}
