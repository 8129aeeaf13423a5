package io.nodescope.event;

/**
 * The counters of a memory cgroup's memory.stat that struct ns_memcg_stat (bpf/include/nodescope.h)
 * carries, in its field order. Each becomes a span attribute and a field of the recording's
 * MemcgStat message under {@link #statName()}.
 */
public enum MemcgStatItem {
    ANON("anon", Unit.PAGES),
    FILE("file", Unit.PAGES),
    KERNEL("kernel", Unit.PAGES),
    KERNEL_STACK("kernel_stack", Unit.KIB),
    PAGETABLES("pagetables", Unit.PAGES),
    SEC_PAGETABLES("sec_pagetables", Unit.PAGES),
    PERCPU("percpu", Unit.BYTES),
    SOCK("sock", Unit.PAGES),
    VMALLOC("vmalloc", Unit.PAGES),
    SHMEM("shmem", Unit.PAGES),
    FILE_MAPPED("file_mapped", Unit.PAGES),
    FILE_DIRTY("file_dirty", Unit.PAGES),
    FILE_WRITEBACK("file_writeback", Unit.PAGES),
    ANON_THP("anon_thp", Unit.PAGES),
    INACTIVE_ANON("inactive_anon", Unit.PAGES),
    ACTIVE_ANON("active_anon", Unit.PAGES),
    INACTIVE_FILE("inactive_file", Unit.PAGES),
    ACTIVE_FILE("active_file", Unit.PAGES),
    UNEVICTABLE("unevictable", Unit.PAGES),
    SLAB_RECLAIMABLE("slab_reclaimable", Unit.BYTES),
    SLAB_UNRECLAIMABLE("slab_unreclaimable", Unit.BYTES),
    SWAP("swap", Unit.PAGES),
    WORKINGSET_REFAULT_ANON("workingset_refault_anon", Unit.EVENTS),
    WORKINGSET_REFAULT_FILE("workingset_refault_file", Unit.EVENTS);

    /** How the kernel counts an item; everything but events is turned into bytes. */
    public enum Unit { PAGES, KIB, BYTES, EVENTS }

    private final String statName;
    private final Unit kernelUnit;

    MemcgStatItem(String statName, Unit kernelUnit) {
        this.statName = statName;
        this.kernelUnit = kernelUnit;
    }

    /** The name cgroup v2's memory.stat gives it (also the struct's C field, minus any unit suffix). */
    public String statName() {
        return statName;
    }

    public Unit kernelUnit() {
        return kernelUnit;
    }

    public boolean isBytes() {
        return kernelUnit != Unit.EVENTS;
    }
}
