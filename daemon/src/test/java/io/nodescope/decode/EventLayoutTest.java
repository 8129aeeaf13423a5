package io.nodescope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.testing.RepositoryRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every offset the Java decoder uses, checked against the BTF of the compiled bpf/oom.bpf.o
 * (built by `make bpf`, which `make test` runs first): a field moved on the C side fails here,
 * not as silently wrong numbers on a span.
 */
class EventLayoutTest {
    private static final Pattern STRUCT = Pattern.compile("^\\[\\d+] STRUCT '(\\w+)' size=(\\d+) vlen=\\d+$");
    private static final Pattern MEMBER = Pattern.compile("^\\s+'(\\w+)' type_id=\\d+ bits_offset=(\\d+)$");

    private static final Map<String, Integer> sizes = new HashMap<>();
    private static final Map<String, Integer> offsets = new HashMap<>();

    @BeforeAll
    static void readBtf() throws IOException, InterruptedException {
        Path object = RepositoryRoot.find().resolve("build/bpf/oom.bpf.o");
        assertTrue(Files.isReadable(object), object + " missing: run `make bpf` (or `make test`)");
        Process bpftool = new ProcessBuilder(bpftool(), "btf", "dump", "file", object.toString())
                .redirectErrorStream(true).start();
        String dump = new String(bpftool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, bpftool.waitFor(), dump);
        String struct = null;
        for (String line : dump.lines().toList()) {
            Matcher structLine = STRUCT.matcher(line);
            Matcher memberLine = MEMBER.matcher(line);
            if (structLine.matches()) {
                struct = structLine.group(1);
                sizes.put(struct, Integer.parseInt(structLine.group(2)));
            } else if (memberLine.matches() && struct != null) {
                offsets.put(struct + "." + memberLine.group(1), Integer.parseInt(memberLine.group(2)) / 8);
            } else if (!line.startsWith("\t")) {
                struct = null;
            }
        }
    }

    private static String bpftool() {
        return Files.isExecutable(Path.of("/usr/sbin/bpftool")) ? "/usr/sbin/bpftool" : "bpftool";
    }

    private static void assertOffset(String member, int javaOffset) {
        Integer btfOffset = offsets.get(member);
        assertEquals(btfOffset, Integer.valueOf(javaOffset), member + " (BTF says " + btfOffset + ")");
    }

    @Test
    void header() {
        assertEquals(EventLayout.HEADER_BYTES, sizes.get("ns_event_header"));
        assertOffset("ns_event_header.kind", EventLayout.HEADER_KIND);
        assertOffset("ns_event_header.version", EventLayout.HEADER_VERSION);
        assertOffset("ns_event_header.size", EventLayout.HEADER_SIZE);
        assertOffset("ns_event_header.boot_ns", EventLayout.HEADER_BOOT_NS);
    }

    @Test
    void task() {
        assertEquals(EventLayout.TASK_BYTES, sizes.get("ns_task"));
        assertOffset("ns_task.tgid", EventLayout.TASK_TGID);
        assertOffset("ns_task.pid", EventLayout.TASK_PID);
        assertOffset("ns_task.uid", EventLayout.TASK_UID);
        assertOffset("ns_task.memcg_id", EventLayout.TASK_MEMCG_ID);
        assertOffset("ns_task.comm", EventLayout.TASK_COMM);
    }

    @Test
    void memcg() {
        assertEquals(EventLayout.MEMCG_BYTES, sizes.get("ns_memcg"));
        assertOffset("ns_memcg.id", EventLayout.MEMCG_ID);
        assertOffset("ns_memcg.usage_pages", EventLayout.MEMCG_USAGE_PAGES);
        assertOffset("ns_memcg.limit_pages", EventLayout.MEMCG_LIMIT_PAGES);
        assertOffset("ns_memcg.failcnt", EventLayout.MEMCG_FAILCNT);
        assertOffset("ns_memcg.events_oom", EventLayout.MEMCG_EVENTS_OOM);
        assertOffset("ns_memcg.events_oom_kill", EventLayout.MEMCG_EVENTS_OOM_KILL);
        assertOffset("ns_memcg.memsw_usage_pages", EventLayout.MEMCG_MEMSW_USAGE_PAGES);
        assertOffset("ns_memcg.memsw_limit_pages", EventLayout.MEMCG_MEMSW_LIMIT_PAGES);
    }

    @Test
    void oomKill() {
        assertEquals(EventLayout.OOM_BYTES, sizes.get("ns_oom_kill_event"));
        assertOffset("ns_oom_kill_event.flags", EventLayout.OOM_FLAGS);
        assertOffset("ns_oom_kill_event.victim_oom_score_adj", EventLayout.OOM_VICTIM_OOM_SCORE_ADJ);
        assertOffset("ns_oom_kill_event.victim", EventLayout.OOM_VICTIM);
        assertOffset("ns_oom_kill_event.victim_total_vm_pages", EventLayout.OOM_VICTIM_TOTAL_VM_PAGES);
        assertOffset("ns_oom_kill_event.victim_rss_anon_pages", EventLayout.OOM_VICTIM_RSS_ANON_PAGES);
        assertOffset("ns_oom_kill_event.victim_rss_file_pages", EventLayout.OOM_VICTIM_RSS_FILE_PAGES);
        assertOffset("ns_oom_kill_event.victim_rss_shmem_pages", EventLayout.OOM_VICTIM_RSS_SHMEM_PAGES);
        assertOffset("ns_oom_kill_event.victim_pgtables_bytes", EventLayout.OOM_VICTIM_PGTABLES_BYTES);
        assertOffset("ns_oom_kill_event.victim_memcg", EventLayout.OOM_VICTIM_MEMCG);
        assertOffset("ns_oom_kill_event.constraining_memcg", EventLayout.OOM_CONSTRAINING_MEMCG);
        assertOffset("ns_oom_kill_event.trigger", EventLayout.OOM_TRIGGER);
        assertOffset("ns_oom_kill_event.kernel_stack_bytes", EventLayout.OOM_KERNEL_STACK_BYTES);
        assertOffset("ns_oom_kill_event.user_stack_bytes", EventLayout.OOM_USER_STACK_BYTES);
        assertOffset("ns_oom_kill_event.kernel_stack", EventLayout.OOM_KERNEL_STACK);
        assertOffset("ns_oom_kill_event.user_stack", EventLayout.OOM_USER_STACK);
        assertOffset("ns_oom_kill_event.victim_memcg_path", EventLayout.OOM_VICTIM_MEMCG_PATH);
        assertOffset("ns_oom_kill_event.user_files_error", EventLayout.OOM_USER_FILES_ERROR);
        assertOffset("ns_oom_kill_event.user_file_count", EventLayout.OOM_USER_FILE_COUNT);
        assertOffset("ns_oom_kill_event.user_frame_file", EventLayout.OOM_USER_FRAME_FILE);
        assertOffset("ns_oom_kill_event.user_frame_vma_offset", EventLayout.OOM_USER_FRAME_VMA_OFFSET);
        assertOffset("ns_oom_kill_event.user_frame_vma_pgoff", EventLayout.OOM_USER_FRAME_VMA_PGOFF);
        assertOffset("ns_oom_kill_event.user_files", EventLayout.OOM_USER_FILES);
    }

    @Test
    void userFile() {
        assertEquals(EventLayout.USER_FILE_BYTES, sizes.get("ns_user_file"));
        assertEquals(EventLayout.USER_FILE_BYTES, EventLayout.USER_FILE_NAMES
                + EventLayout.FILE_PATH_LEVELS * EventLayout.FILE_NAME_LEN);
        assertEquals(EventLayout.OOM_BYTES, EventLayout.OOM_USER_FILES + EventLayout.USER_FILES * EventLayout.USER_FILE_BYTES);
        assertOffset("ns_user_file.dev", EventLayout.USER_FILE_DEV);
        assertOffset("ns_user_file.depth", EventLayout.USER_FILE_DEPTH);
        assertOffset("ns_user_file.truncated", EventLayout.USER_FILE_TRUNCATED);
        assertOffset("ns_user_file.ino", EventLayout.USER_FILE_INO);
        assertOffset("ns_user_file.names", EventLayout.USER_FILE_NAMES);
    }

    @Test
    void cgroupPath() {
        assertEquals(EventLayout.CGROUP_PATH_BYTES, sizes.get("ns_cgroup_path"));
        assertOffset("ns_cgroup_path.depth", EventLayout.CGROUP_PATH_DEPTH);
        assertOffset("ns_cgroup_path.truncated", EventLayout.CGROUP_PATH_TRUNCATED);
        assertOffset("ns_cgroup_path.ids", EventLayout.CGROUP_PATH_IDS);
        assertOffset("ns_cgroup_path.names", EventLayout.CGROUP_PATH_NAMES);
    }

    @Test
    void processExit() {
        assertEquals(EventLayout.EXIT_BYTES, sizes.get("ns_process_exit_event"));
        assertOffset("ns_process_exit_event.task", EventLayout.EXIT_TASK);
        assertOffset("ns_process_exit_event.exit_code", EventLayout.EXIT_CODE);
        assertOffset("ns_process_exit_event.flags", EventLayout.EXIT_FLAGS);
    }
}
