package io.nodescope.decode;

/**
 * Offsets of the structs every module's records share (bpf/include/nodescope.h). SharedLayoutTest
 * checks each against the BTF of the compiled objects, so a change on the C side fails the build.
 * A module's own record layout lives in its package, checked the same way.
 */
public final class SharedLayout {
    private SharedLayout() {}

    public static final int COMM_LEN = 16;
    public static final int MAX_STACK_DEPTH = 64;

    // struct ns_event_header
    public static final int HEADER_KIND = 0;
    public static final int HEADER_VERSION = 2;
    public static final int HEADER_SIZE = 4;
    public static final int HEADER_BOOT_NS = 8;
    public static final int HEADER_BYTES = 16;

    // struct ns_task
    public static final int TASK_TGID = 0;
    public static final int TASK_PID = 4;
    public static final int TASK_UID = 8;
    public static final int TASK_MEMCG_ID = 16;
    public static final int TASK_COMM = 24;
    public static final int TASK_BYTES = 40;

    // struct ns_memcg
    public static final int MEMCG_ID = 0;
    public static final int MEMCG_USAGE_PAGES = 8;
    public static final int MEMCG_LIMIT_PAGES = 16;
    public static final int MEMCG_FAILCNT = 24;
    public static final int MEMCG_EVENTS_OOM = 32;
    public static final int MEMCG_EVENTS_OOM_KILL = 40;
    public static final int MEMCG_MEMSW_USAGE_PAGES = 48;
    public static final int MEMCG_MEMSW_LIMIT_PAGES = 56;
    public static final int MEMCG_BYTES = 64;

    // struct ns_memcg_stat: the id, then one __s64 per MemcgStatItem in the enum's order
    public static final int MEMCG_STAT_ID = 0;
    public static final int MEMCG_STAT_VALUES = 8;
    public static final int MEMCG_STAT_BYTES = 200;

    // struct ns_cgroup_path
    public static final int CGROUP_PATH_LEVELS = 8;
    public static final int CGROUP_NAME_LEN = 96;
    public static final int CGROUP_PATH_DEPTH = 0;
    public static final int CGROUP_PATH_TRUNCATED = 4;
    public static final int CGROUP_PATH_IDS = 8;
    public static final int CGROUP_PATH_NAMES = 72;
    public static final int CGROUP_PATH_BYTES = 840;

    // struct ns_user_file
    public static final int USER_FILES = 6;
    public static final int FILE_PATH_LEVELS = 16;
    public static final int FILE_NAME_LEN = 64;
    public static final int NO_FILE = 0xff;
    public static final int USER_FILE_DEV = 0;
    public static final int USER_FILE_DEPTH = 4;
    public static final int USER_FILE_TRUNCATED = 6;
    public static final int USER_FILE_INO = 8;
    public static final int USER_FILE_NAMES = 16;
    public static final int USER_FILE_BYTES = 1040;

    // struct ns_user_frames
    public static final int USER_FRAMES_ERROR = 0;
    public static final int USER_FRAMES_FILE_COUNT = 4;
    public static final int USER_FRAMES_FRAME_FILE = 8;
    public static final int USER_FRAMES_VMA_OFFSET = 72;
    public static final int USER_FRAMES_VMA_PGOFF = 584;
    public static final int USER_FRAMES_FILES = 1096;
    public static final int USER_FRAMES_BYTES = 7336;

    // struct ns_stack_mapping
    public static final int STACK_MAPPINGS = 16;
    public static final int STACK_MAPPING_START = 0;
    public static final int STACK_MAPPING_END = 8;
    public static final int STACK_MAPPING_PGOFF = 16;
    public static final int STACK_MAPPING_FILE = 24;
    public static final int STACK_MAPPING_BYTES = 32;

    // struct ns_stack_mappings
    public static final int STACK_MAPPINGS_ERROR = 0;
    public static final int STACK_MAPPINGS_FILE_COUNT = 4;
    public static final int STACK_MAPPINGS_MAPPING_COUNT = 8;
    public static final int STACK_MAPPINGS_LOOKUPS = 12;
    public static final int STACK_MAPPINGS_SKIPPED = 16;
    public static final int STACK_MAPPINGS_MAPPINGS = 24;
    public static final int STACK_MAPPINGS_FILES = 536;
    public static final int STACK_MAPPINGS_BYTES = 6776;

    // struct ns_user_stack (bpf/include/user_stack.h, NS_USER_STACK_BYTES as the modules compile it)
    public static final int USER_STACK_STATE_BYTES = 16384;
    public static final int USER_STACK_STATE_VALID_BYTES = 64;
    public static final int USER_STACK_STATE_STACK = 72;
    public static final int USER_STACK_STATE_TOTAL_BYTES = USER_STACK_STATE_STACK + USER_STACK_STATE_BYTES;
}
