package io.nodescope.module.oom;

import io.nodescope.decode.RecordFormat;
import io.nodescope.decode.RecordReader;
import io.nodescope.decode.SharedStructs;
import io.nodescope.event.ProbeSource;
import io.nodescope.event.RawStack;
import io.nodescope.symbol.UserStack;

import java.util.Optional;

import static io.nodescope.decode.SharedLayout.USER_STACK_STATE_BYTES;
import static io.nodescope.decode.SharedLayout.USER_STACK_STATE_STACK;
import static io.nodescope.decode.SharedLayout.USER_STACK_STATE_VALID_BYTES;
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
                shared.memcgStat(record, MEMCG_STAT),
                triggerUserState(record),
                shared.stackMappings(record, TRIGGER_STACK_MAPPINGS));
    }

    /** Copied out of the ring, whose memory is reused before the report worker unwinds it. */
    private static Optional<UserStack> triggerUserState(RecordReader record) {
        long validBytes = Math.min(record.u32(TRIGGER_USER_STATE + USER_STACK_STATE_VALID_BYTES),
                USER_STACK_STATE_BYTES);
        if (validBytes == 0) {
            return Optional.empty();
        }
        return Optional.of(UserStack.decode(record.copy(TRIGGER_USER_STATE, USER_STACK_STATE_STACK + (int) validBytes),
                0, USER_STACK_STATE_BYTES));
    }
}
