package io.nodescope.module.oom;

/**
 * Offsets of struct ns_oom_kill_event (bpf/oom.h). OomKillLayoutTest checks every one against the
 * BTF of the compiled bpf/oom.bpf.o.
 */
final class OomKillLayout {
    private OomKillLayout() {}

    static final int KIND = 1; // NS_EVENT_OOM_KILL
    static final int VERSION = 4;
    static final int FLAGS = 16;
    static final int VICTIM_OOM_SCORE_ADJ = 20;
    static final int VICTIM = 24;
    static final int VICTIM_TOTAL_VM_PAGES = 64;
    static final int VICTIM_RSS_ANON_PAGES = 72;
    static final int VICTIM_RSS_FILE_PAGES = 80;
    static final int VICTIM_RSS_SHMEM_PAGES = 88;
    static final int VICTIM_PGTABLES_BYTES = 96;
    static final int VICTIM_MEMCG = 104;
    static final int CONSTRAINING_MEMCG = 168;
    static final int TRIGGER = 232;
    static final int MEMCG_STAT = 272;
    static final int KERNEL_STACK_BYTES = 472;
    static final int USER_STACK_BYTES = 476;
    static final int KERNEL_STACK = 480;
    static final int USER_STACK = 992;
    static final int VICTIM_MEMCG_PATH = 1504;
    static final int USER_FRAMES = 2344;
    static final int TRIGGER_USER_STATE = 9680;
    static final int TRIGGER_STACK_MAPPINGS = 26136;
    static final int BYTES = 32912;

    // ns_oom_kill_event.flags (NS_OOM_F_*)
    static final int F_TP_BTF = 1;
    static final int F_VICTIM_MEMCG = 1 << 1;
    static final int F_MEMCG_CONSTRAINED = 1 << 2;
}
