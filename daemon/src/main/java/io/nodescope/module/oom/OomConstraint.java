package io.nodescope.module.oom;

/** What limit the OOM killer ran for. */
public enum OomConstraint {
    /** A memory cgroup on the triggering task's path was at its limit (container or pod OOM). */
    MEMCG,
    /** No memcg limit was hit: the node ran out of memory (or a cpuset/mempolicy did). */
    GLOBAL;

    /** The attribute value on spans. */
    public String attributeValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
