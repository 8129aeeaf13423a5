package io.nodescope.decode;

/**
 * Offsets of the structs in bpf/include/nodescope.h and bpf/oom.h. EventLayoutTest checks every
 * one against the BTF of the compiled object, so a change on the C side fails the build here.
 */
final class EventLayout {
    private EventLayout() {}

    static final int COMM_LEN = 16;
    static final int MAX_STACK_DEPTH = 64;

    // struct ns_event_header
    static final int HEADER_KIND = 0;
    static final int HEADER_VERSION = 2;
    static final int HEADER_SIZE = 4;
    static final int HEADER_BOOT_NS = 8;
    static final int HEADER_BYTES = 16;

    // enum ns_event_kind
    static final int KIND_OOM_KILL = 1;
    static final int KIND_PROCESS_EXIT = 2;

    // struct ns_task
    static final int TASK_TGID = 0;
    static final int TASK_PID = 4;
    static final int TASK_UID = 8;
    static final int TASK_MEMCG_ID = 16;
    static final int TASK_COMM = 24;
    static final int TASK_BYTES = 40;

    // struct ns_memcg
    static final int MEMCG_ID = 0;
    static final int MEMCG_USAGE_PAGES = 8;
    static final int MEMCG_LIMIT_PAGES = 16;
    static final int MEMCG_FAILCNT = 24;
    static final int MEMCG_EVENTS_OOM = 32;
    static final int MEMCG_EVENTS_OOM_KILL = 40;
    static final int MEMCG_MEMSW_USAGE_PAGES = 48;
    static final int MEMCG_MEMSW_LIMIT_PAGES = 56;
    static final int MEMCG_BYTES = 64;

    // struct ns_oom_kill_event
    static final int OOM_VERSION = 3;
    static final int OOM_FLAGS = 16;
    static final int OOM_VICTIM_OOM_SCORE_ADJ = 20;
    static final int OOM_VICTIM = 24;
    static final int OOM_VICTIM_TOTAL_VM_PAGES = 64;
    static final int OOM_VICTIM_RSS_ANON_PAGES = 72;
    static final int OOM_VICTIM_RSS_FILE_PAGES = 80;
    static final int OOM_VICTIM_RSS_SHMEM_PAGES = 88;
    static final int OOM_VICTIM_PGTABLES_BYTES = 96;
    static final int OOM_VICTIM_MEMCG = 104;
    static final int OOM_CONSTRAINING_MEMCG = 168;
    static final int OOM_TRIGGER = 232;
    static final int OOM_KERNEL_STACK_BYTES = 272;
    static final int OOM_USER_STACK_BYTES = 276;
    static final int OOM_KERNEL_STACK = 280;
    static final int OOM_USER_STACK = 792;
    static final int OOM_VICTIM_MEMCG_PATH = 1304;
    static final int OOM_USER_FILES_ERROR = 2144;
    static final int OOM_USER_FILE_COUNT = 2148;
    static final int OOM_USER_FRAME_FILE = 2152;
    static final int OOM_USER_FRAME_VMA_OFFSET = 2216;
    static final int OOM_USER_FRAME_VMA_PGOFF = 2728;
    static final int OOM_USER_FILES = 3240;
    static final int OOM_BYTES = 9480;

    // struct ns_user_file
    static final int USER_FILES = 6;
    static final int FILE_PATH_LEVELS = 16;
    static final int FILE_NAME_LEN = 64;
    static final int NO_FILE = 0xff;
    static final int USER_FILE_DEV = 0;
    static final int USER_FILE_DEPTH = 4;
    static final int USER_FILE_TRUNCATED = 6;
    static final int USER_FILE_INO = 8;
    static final int USER_FILE_NAMES = 16;
    static final int USER_FILE_BYTES = 1040;

    // struct ns_cgroup_path
    static final int CGROUP_PATH_LEVELS = 8;
    static final int CGROUP_NAME_LEN = 96;
    static final int CGROUP_PATH_DEPTH = 0;
    static final int CGROUP_PATH_TRUNCATED = 4;
    static final int CGROUP_PATH_IDS = 8;
    static final int CGROUP_PATH_NAMES = 72;
    static final int CGROUP_PATH_BYTES = 840;

    // ns_oom_kill_event.flags (NS_OOM_F_*)
    static final int OOM_F_TP_BTF = 1;
    static final int OOM_F_VICTIM_MEMCG = 1 << 1;
    static final int OOM_F_MEMCG_CONSTRAINED = 1 << 2;

    // struct ns_process_exit_event
    static final int EXIT_VERSION = 1;
    static final int EXIT_TASK = 16;
    static final int EXIT_CODE = 56;
    static final int EXIT_FLAGS = 60;
    static final int EXIT_BYTES = 64;

    // ns_process_exit_event.flags (NS_EXIT_F_*)
    static final int EXIT_F_OOM_VICTIM = 1;
}
