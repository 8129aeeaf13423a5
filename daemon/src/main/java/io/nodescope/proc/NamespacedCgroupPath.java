package io.nodescope.proc;

/**
 * Cgroup paths as /proc/&lt;pid&gt;/cgroup prints them: relative to the reader's cgroup namespace.
 * A daemon in a container with a private namespace (the default on cgroup v2) reads
 * "/../../kubepods-burstable.slice/..." for a cgroup outside its own.
 */
final class NamespacedCgroupPath {
    private NamespacedCgroupPath() {}

    /**
     * Whether pathSeenFromNamespace names the cgroup at absolutePath (from the hierarchy's root):
     * equal without a namespace, else what follows the last ".." must end the absolute path.
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
