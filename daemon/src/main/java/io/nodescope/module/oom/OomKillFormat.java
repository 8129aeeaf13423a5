package io.nodescope.module.oom;

import io.nodescope.decode.RecordFormat;
import io.nodescope.decode.RecordReader;
import io.nodescope.decode.SharedStructs;
import io.nodescope.event.ProbeSource;
import io.nodescope.event.RawStack;

import java.util.Optional;

import static io.nodescope.module.oom.OomKillLayout.*;

/** Decodes struct ns_oom_kill_event (bpf/oom.h) into an {@link OomKill}. */
final class OomKillFormat {
    private OomKillFormat() {}

    static final RecordFormat FORMAT = new RecordFormat(KIND, "oom kill", VERSION, BYTES, OomKill.class,
            OomKillFormat::decode);

    static OomKill decode(RecordReader record, SharedStructs shared) {
        int flags = record.s32(FLAGS);
        RawStack userStack = shared.stack(record, USER_STACK_BYTES, USER_STACK);
        boolean constrained = (flags & F_MEMCG_CONSTRAINED) != 0;
        boolean victimMemcg = (flags & F_VICTIM_MEMCG) != 0;
        return new OomKill(
                shared.bootTimeNanos(record),
                (flags & F_TP_BTF) != 0 ? ProbeSource.TP_BTF : ProbeSource.TRACEPOINT,
                shared.task(record, VICTIM),
                record.s32(VICTIM_OOM_SCORE_ADJ),
                new VictimMemory(
                        shared.bytes(record.u64(VICTIM_TOTAL_VM_PAGES)),
                        shared.bytes(record.u64(VICTIM_RSS_ANON_PAGES)),
                        shared.bytes(record.u64(VICTIM_RSS_FILE_PAGES)),
                        shared.bytes(record.u64(VICTIM_RSS_SHMEM_PAGES)),
                        record.u64(VICTIM_PGTABLES_BYTES)),
                victimMemcg ? Optional.of(shared.memcg(record, VICTIM_MEMCG)) : Optional.empty(),
                constrained ? OomConstraint.MEMCG : OomConstraint.GLOBAL,
                constrained ? Optional.of(shared.memcg(record, CONSTRAINING_MEMCG)) : Optional.empty(),
                shared.task(record, TRIGGER),
                shared.stack(record, KERNEL_STACK_BYTES, KERNEL_STACK),
                userStack,
                victimMemcg ? Optional.of(shared.cgroupPath(record, VICTIM_MEMCG_PATH)) : Optional.empty(),
                shared.userFrameFiles(record, USER_FRAMES, userStack.addresses().size()),
                shared.memcgStat(record, MEMCG_STAT));
    }
}
