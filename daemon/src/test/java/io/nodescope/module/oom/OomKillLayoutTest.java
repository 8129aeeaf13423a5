package io.nodescope.module.oom;

import static io.nodescope.module.oom.OomKillLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nodescope.decode.SharedLayout;
import io.nodescope.testing.ObjectBtf;
import org.junit.jupiter.api.Test;

/** Every offset OomKillFormat uses, checked against the BTF of the compiled bpf/oom.bpf.o. */
class OomKillLayoutTest {
    @Test
    void oomKillEvent() throws Exception {
        ObjectBtf btf = ObjectBtf.of("oom.bpf.o");
        btf.assertSize("ns_oom_kill_event", BYTES);
        btf.assertOffset("ns_oom_kill_event.flags", FLAGS);
        btf.assertOffset("ns_oom_kill_event.victim_oom_score_adj", VICTIM_OOM_SCORE_ADJ);
        btf.assertOffset("ns_oom_kill_event.victim", VICTIM);
        btf.assertOffset("ns_oom_kill_event.victim_total_vm_pages", VICTIM_TOTAL_VM_PAGES);
        btf.assertOffset("ns_oom_kill_event.victim_rss_anon_pages", VICTIM_RSS_ANON_PAGES);
        btf.assertOffset("ns_oom_kill_event.victim_rss_file_pages", VICTIM_RSS_FILE_PAGES);
        btf.assertOffset("ns_oom_kill_event.victim_rss_shmem_pages", VICTIM_RSS_SHMEM_PAGES);
        btf.assertOffset("ns_oom_kill_event.victim_pgtables_bytes", VICTIM_PGTABLES_BYTES);
        btf.assertOffset("ns_oom_kill_event.victim_memcg", VICTIM_MEMCG);
        btf.assertOffset("ns_oom_kill_event.constraining_memcg", CONSTRAINING_MEMCG);
        btf.assertOffset("ns_oom_kill_event.trigger", TRIGGER);
        btf.assertOffset("ns_oom_kill_event.memcg_stat", MEMCG_STAT);
        btf.assertOffset("ns_oom_kill_event.kernel_stack_bytes", KERNEL_STACK_BYTES);
        btf.assertOffset("ns_oom_kill_event.user_stack_bytes", USER_STACK_BYTES);
        btf.assertOffset("ns_oom_kill_event.kernel_stack", KERNEL_STACK);
        btf.assertOffset("ns_oom_kill_event.user_stack", USER_STACK);
        btf.assertOffset("ns_oom_kill_event.victim_memcg_path", VICTIM_MEMCG_PATH);
        btf.assertOffset("ns_oom_kill_event.user_frames", USER_FRAMES);
        btf.assertOffset("ns_oom_kill_event.trigger_user_state", TRIGGER_USER_STATE);
        btf.assertOffset("ns_oom_kill_event.trigger_stack_mappings", TRIGGER_STACK_MAPPINGS);
        assertEquals(TRIGGER_USER_STATE, USER_FRAMES + SharedLayout.USER_FRAMES_BYTES);
        assertEquals(BYTES, TRIGGER_STACK_MAPPINGS + SharedLayout.STACK_MAPPINGS_BYTES);
    }
}
