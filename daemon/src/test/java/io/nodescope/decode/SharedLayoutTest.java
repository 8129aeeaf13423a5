package io.nodescope.decode;

import io.nodescope.event.MemcgStatItem;
import io.nodescope.testing.ObjectBtf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.nodescope.decode.SharedLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The structs every module's records share, checked against the BTF of each compiled module
 * object that embeds them (each object compiles bpf/include/nodescope.h on its own).
 */
class SharedLayoutTest {
    @ParameterizedTest
    @ValueSource(strings = {"oom.bpf.o", "exit.bpf.o"})
    void headerAndTask(String object) throws Exception {
        ObjectBtf btf = ObjectBtf.of(object);
        btf.assertSize("ns_event_header", HEADER_BYTES);
        btf.assertOffset("ns_event_header.kind", HEADER_KIND);
        btf.assertOffset("ns_event_header.version", HEADER_VERSION);
        btf.assertOffset("ns_event_header.size", HEADER_SIZE);
        btf.assertOffset("ns_event_header.boot_ns", HEADER_BOOT_NS);
        btf.assertSize("ns_task", TASK_BYTES);
        btf.assertOffset("ns_task.tgid", TASK_TGID);
        btf.assertOffset("ns_task.pid", TASK_PID);
        btf.assertOffset("ns_task.uid", TASK_UID);
        btf.assertOffset("ns_task.memcg_id", TASK_MEMCG_ID);
        btf.assertOffset("ns_task.comm", TASK_COMM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"oom.bpf.o"})
    void memcgCgroupPathAndUserFrames(String object) throws Exception {
        ObjectBtf btf = ObjectBtf.of(object);
        btf.assertSize("ns_memcg", MEMCG_BYTES);
        btf.assertOffset("ns_memcg.id", MEMCG_ID);
        btf.assertOffset("ns_memcg.usage_pages", MEMCG_USAGE_PAGES);
        btf.assertOffset("ns_memcg.limit_pages", MEMCG_LIMIT_PAGES);
        btf.assertOffset("ns_memcg.failcnt", MEMCG_FAILCNT);
        btf.assertOffset("ns_memcg.events_oom", MEMCG_EVENTS_OOM);
        btf.assertOffset("ns_memcg.events_oom_kill", MEMCG_EVENTS_OOM_KILL);
        btf.assertOffset("ns_memcg.memsw_usage_pages", MEMCG_MEMSW_USAGE_PAGES);
        btf.assertOffset("ns_memcg.memsw_limit_pages", MEMCG_MEMSW_LIMIT_PAGES);

        btf.assertSize("ns_memcg_stat", MEMCG_STAT_BYTES);
        btf.assertOffset("ns_memcg_stat.memcg_id", MEMCG_STAT_ID);
        for (MemcgStatItem item : MemcgStatItem.values()) {
            btf.assertOffset("ns_memcg_stat." + cField(item), MEMCG_STAT_VALUES + item.ordinal() * Long.BYTES);
        }
        assertEquals(MEMCG_STAT_BYTES, MEMCG_STAT_VALUES + MemcgStatItem.values().length * Long.BYTES);

        btf.assertSize("ns_cgroup_path", CGROUP_PATH_BYTES);
        btf.assertOffset("ns_cgroup_path.depth", CGROUP_PATH_DEPTH);
        btf.assertOffset("ns_cgroup_path.truncated", CGROUP_PATH_TRUNCATED);
        btf.assertOffset("ns_cgroup_path.ids", CGROUP_PATH_IDS);
        btf.assertOffset("ns_cgroup_path.names", CGROUP_PATH_NAMES);

        btf.assertSize("ns_user_file", USER_FILE_BYTES);
        assertEquals(USER_FILE_BYTES, USER_FILE_NAMES + FILE_PATH_LEVELS * FILE_NAME_LEN);
        btf.assertOffset("ns_user_file.dev", USER_FILE_DEV);
        btf.assertOffset("ns_user_file.depth", USER_FILE_DEPTH);
        btf.assertOffset("ns_user_file.truncated", USER_FILE_TRUNCATED);
        btf.assertOffset("ns_user_file.ino", USER_FILE_INO);
        btf.assertOffset("ns_user_file.names", USER_FILE_NAMES);

        btf.assertSize("ns_user_frames", USER_FRAMES_BYTES);
        assertEquals(USER_FRAMES_BYTES, USER_FRAMES_FILES + USER_FILES * USER_FILE_BYTES);
        btf.assertOffset("ns_user_frames.error", USER_FRAMES_ERROR);
        btf.assertOffset("ns_user_frames.file_count", USER_FRAMES_FILE_COUNT);
        btf.assertOffset("ns_user_frames.frame_file", USER_FRAMES_FRAME_FILE);
        btf.assertOffset("ns_user_frames.frame_vma_offset", USER_FRAMES_VMA_OFFSET);
        btf.assertOffset("ns_user_frames.frame_vma_pgoff", USER_FRAMES_VMA_PGOFF);
        btf.assertOffset("ns_user_frames.files", USER_FRAMES_FILES);
    }

    /** The C field: the stat's name with the unit the kernel counts it in, where not pages. */
    private static String cField(MemcgStatItem item) {
        return item.statName() + switch (item.kernelUnit()) {
            case KIB -> "_kb";
            case BYTES -> "_bytes";
            case PAGES, EVENTS -> "";
        };
    }

    /** The structs a captured user stack is recorded with (user_stack.h, stack_mappings.h). */
    @ParameterizedTest
    @ValueSource(strings = {"oom.bpf.o"})
    void userStackAndItsMappings(String object) throws Exception {
        ObjectBtf btf = ObjectBtf.of(object);
        btf.assertSize("ns_user_stack", USER_STACK_STATE_TOTAL_BYTES);
        btf.assertOffset("ns_user_stack.valid_bytes", USER_STACK_STATE_VALID_BYTES);
        btf.assertOffset("ns_user_stack.stack", USER_STACK_STATE_STACK);
        assertEquals(io.nodescope.symbol.UserStack.BPF_STACK_OFFSET, USER_STACK_STATE_STACK);

        btf.assertSize("ns_stack_mapping", STACK_MAPPING_BYTES);
        btf.assertOffset("ns_stack_mapping.start", STACK_MAPPING_START);
        btf.assertOffset("ns_stack_mapping.end", STACK_MAPPING_END);
        btf.assertOffset("ns_stack_mapping.pgoff", STACK_MAPPING_PGOFF);
        btf.assertOffset("ns_stack_mapping.file", STACK_MAPPING_FILE);

        btf.assertSize("ns_stack_mappings", STACK_MAPPINGS_BYTES);
        assertEquals(STACK_MAPPINGS_BYTES, STACK_MAPPINGS_FILES + USER_FILES * USER_FILE_BYTES);
        assertEquals(STACK_MAPPINGS_FILES, STACK_MAPPINGS_MAPPINGS + STACK_MAPPINGS * STACK_MAPPING_BYTES);
        btf.assertOffset("ns_stack_mappings.error", STACK_MAPPINGS_ERROR);
        btf.assertOffset("ns_stack_mappings.file_count", STACK_MAPPINGS_FILE_COUNT);
        btf.assertOffset("ns_stack_mappings.mapping_count", STACK_MAPPINGS_MAPPING_COUNT);
        btf.assertOffset("ns_stack_mappings.lookups", STACK_MAPPINGS_LOOKUPS);
        btf.assertOffset("ns_stack_mappings.skipped", STACK_MAPPINGS_SKIPPED);
        btf.assertOffset("ns_stack_mappings.mappings", STACK_MAPPINGS_MAPPINGS);
        btf.assertOffset("ns_stack_mappings.files", STACK_MAPPINGS_FILES);
    }
}
