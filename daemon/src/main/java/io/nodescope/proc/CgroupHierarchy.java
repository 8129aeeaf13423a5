package io.nodescope.proc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * One mounted cgroup hierarchy: the cgroup2 (unified) mount, or a v1 mount of one or more
 * controllers ("memory", "cpu,cpuacct") or a named hierarchy ("systemd"). Each hierarchy
 * numbers its cgroups on its own, so an id means something only with the hierarchy it came from.
 *
 * @param mount       where the hierarchy's root is mounted, e.g. /sys/fs/cgroup/memory
 * @param controllers the v1 controllers or name; empty for the unified hierarchy
 * @param unified     cgroup v2
 */
record CgroupHierarchy(Path mount, Set<String> controllers, boolean unified) {
    CgroupHierarchy {
        Objects.requireNonNull(mount, "mount");
        controllers = Set.copyOf(controllers);
    }

    /**
     * The hierarchy mounted at mount: cgroup2 has cgroup.controllers in its root; a v1 mount
     * directory is named after its comma-separated controllers, as systemd and kubelet mount them.
     */
    static CgroupHierarchy at(Path mount) {
        if (Files.isRegularFile(mount.resolve("cgroup.controllers"))) {
            return new CgroupHierarchy(mount, Set.of(), true);
        }
        return new CgroupHierarchy(mount, Set.of(mount.getFileName().toString().split(",")), false);
    }

    /**
     * Whether a line of /proc/&lt;pid&gt;/cgroup is this hierarchy's: "0::/path" is the unified
     * one, "4:memory:/path" or "1:name=systemd:/path" a v1 one.
     */
    boolean isNamedBy(ProcessCgroups.Entry entry) {
        if (unified) {
            return entry.hierarchyId() == 0 && entry.controllers().isEmpty();
        }
        return entry.controllers().stream()
                .map(controller -> controller.startsWith("name=") ? controller.substring("name=".length()) : controller)
                .anyMatch(controllers::contains);
    }
}
