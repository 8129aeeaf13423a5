package io.nodescope.module.oom;

import io.nodescope.event.MemcgStat;
import io.nodescope.event.MemcgStatItem;
import io.nodescope.event.MemcgState;
import io.nodescope.event.ProbeSource;
import io.nodescope.module.exit.ProcessExit;
import io.nodescope.event.RawStack;
import io.nodescope.event.TaskIdentity;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;

/** OOM kills and exits with a distinct value in every field, so two fields mixed up show. */
final class TestKills {
    static final long KILL_BOOT_NANOS = 5_000_000_123L;
    static final long EXIT_BOOT_NANOS = 5_004_000_456L;
    static final int VICTIM_TGID = 4242;
    static final int EFAULT = 14;

    static final MemcgState VICTIM_MEMCG =
            new MemcgState(9001, 31L << 20, 32L << 20, 17, 3, 2, 33L << 20, 64L << 20);
    static final MemcgState POD_MEMCG =
            new MemcgState(8000, 60L << 20, 64L << 20, 5, 1, 0, 0, MemcgState.UNLIMITED);

    private TestKills() {}

    /** tp_btf, memcg-constrained by the pod's memcg, both stacks walked. */
    static OomKill memcgKill(int victimTgid) {
        return new OomKill(KILL_BOOT_NANOS, ProbeSource.TP_BTF,
                new TaskIdentity(victimTgid, victimTgid + 1, 1000, 9001, "oom-alloc"), 800,
                new VictimMemory(100L << 20, 30L << 20, 2L << 20, 1L << 20, 64L << 10),
                Optional.of(VICTIM_MEMCG), OomConstraint.MEMCG, Optional.of(POD_MEMCG),
                new TaskIdentity(5151, 5152, 0, 9002, "allocator"),
                new RawStack(List.of(0xffffffff81234567L, 0xffffffffc0a01234L), 0),
                new RawStack(List.of(0x7f3a12345678L), 0));
    }

    /** Every counter distinct: item i holds (i + 1) MiB, or i + 1 events. */
    static MemcgStat memcgStat(long memcgId) {
        EnumMap<MemcgStatItem, Long> values = new EnumMap<>(MemcgStatItem.class);
        for (MemcgStatItem item : MemcgStatItem.values()) {
            values.put(item, item.isBytes() ? (item.ordinal() + 1L) << 20 : item.ordinal() + 1L);
        }
        return new MemcgStat(memcgId, values);
    }

    static OomKill memcgKill() {
        return memcgKill(VICTIM_TGID);
    }

    /** Classic-tracepoint fallback: no victim memcg, a global OOM, trigger memcg unknown, stacks failed. */
    static OomKill tracepointGlobalKill() {
        return new OomKill(KILL_BOOT_NANOS, ProbeSource.TRACEPOINT,
                new TaskIdentity(VICTIM_TGID, VICTIM_TGID, 0, 0, "java"), 0,
                new VictimMemory(1, 2, 3, 4, 5), Optional.empty(), OomConstraint.GLOBAL, Optional.empty(),
                new TaskIdentity(77, 78, 0, 0, "kswapd"), new RawStack(List.of(), 2),
                new RawStack(List.of(), EFAULT));
    }

    static EnrichedOomKill enriched(OomKill kill) {
        return EnrichedOomKill.unresolved(kill);
    }

    /** Every path the enrich stage can resolve. */
    static EnrichedOomKill resolved(OomKill kill, String victimCgroup) {
        return new EnrichedOomKill(kill, Optional.of(victimCgroup), Optional.of("/kubepods/pod-a"),
                Optional.of("/kubepods/pod-a/trigger"), Optional.of("/usr/bin/oom-alloc"),
                Optional.of("/usr/bin/allocator"));
    }

    /** The victim's death by SIGKILL: exit code 137. */
    static ProcessExit sigkillExit(int tgid) {
        return new ProcessExit(EXIT_BOOT_NANOS, new TaskIdentity(tgid, tgid, 1000, 9001, "oom-alloc"), 9, true);
    }
}
