package io.nodescope.record;

import io.nodescope.daemon.ProbeModules;
import io.nodescope.event.KernelFile;
import io.nodescope.event.MemcgStat;
import io.nodescope.event.MemcgStatItem;
import io.nodescope.event.MemcgState;
import io.nodescope.module.oom.OomConstraint;
import io.nodescope.module.oom.OomKill;
import io.nodescope.event.ProbeSource;
import io.nodescope.module.exit.ProcessExit;
import io.nodescope.event.RawStack;
import io.nodescope.event.TaskIdentity;
import io.nodescope.event.StackMappings;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.symbol.UserStack;
import java.nio.ByteBuffer;
import io.nodescope.module.oom.VictimMemory;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;

/** Events with distinct values in every field, so a field mixed up with another cannot round trip. */
final class TestEvents {
    /** Every module's recording codec, as the daemon registers them. */
    static final EventCodecs CODECS = ProbeModules.codecs(ProbeModules.all());

    static final int EFAULT = 14;

    private TestEvents() {}

    /** A tp_btf memcg OOM: both memcgs read, limits set, both stacks walked. */
    static OomKill memcgOomWithEveryField() {
        return new OomKill(1_234_567_890_123L, ProbeSource.TP_BTF,
                new TaskIdentity(4242, 4243, 1000, 9001, "java"), -998,
                new VictimMemory(8L << 30, 3L << 30, 200L << 20, 16L << 20, 12L << 20),
                Optional.of(new MemcgState(9001, 512L << 20, 512L << 20, 17, 3, 2, 520L << 20, 1L << 30)),
                OomConstraint.MEMCG,
                Optional.of(new MemcgState(8000, 1L << 30, 2L << 30, 5, 1, 0, 1100L << 20, 3L << 30)),
                new TaskIdentity(5151, 5152, 65534, 9002, "allocator"),
                new RawStack(List.of(0xffffffff81234567L, 0xffffffff81000010L, 0xffffffffc0a01234L), 0),
                new RawStack(List.of(0x7f3a12345678L, 0x55d0c0ffee00L, 0x7f0000001000L), 0),
                Optional.empty(),
                // Two frames in distinct files, the last in anonymous (JIT) memory.
                new UserFrameFiles(List.of(
                        Optional.of(new UserFrameFiles.FileLocation(LIBC, 0x2724aL)),
                        Optional.of(new UserFrameFiles.FileLocation(APP, 0x1234L)),
                        Optional.empty()), 0),
                Optional.of(distinctMemcgStat(8000)),

                // The registers and stack for unwinding, through a mapping of each file.
                Optional.of(new UserStack(new UserStack.Registers(0x7f3a12345678L, 0x7ffd00001000L, 0x7ffd00001040L,
                        3, 4, 5, 6, 7), ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}))),
                new StackMappings(List.of(
                        new StackMappings.Mapping(0x7f3a12300000L, 0x7f3a12400000L, 0x28000L, LIBC),
                        new StackMappings.Mapping(0x55d0c0ffe000L, 0x55d0c0fff000L, 0x1000L, APP)), 37, 2, 16));
    }

    private static final KernelFile LIBC =
            new KernelFile(254, 0, 5_316_658L, List.of("usr", "lib", "x86_64-linux-gnu", "libc.so.6"), false);
    private static final KernelFile APP = new KernelFile(259, 300, 77L, List.of("app"), true);

    /**
     * A classic-tracepoint global OOM: no memcg read at all, the user stack failed. An unset
     * Optional must stay unset, not come back as a zero memcg.
     */
    static OomKill globalOomWithoutMemcgs() {
        return new OomKill(99, ProbeSource.TRACEPOINT, new TaskIdentity(1, 1, 0, 0, "init"), 1000,
                new VictimMemory(1, 2, 3, 4, 5), Optional.empty(), OomConstraint.GLOBAL, Optional.empty(),
                // A uid above 2^31 (uint32 on the wire, a negative Java int).
                new TaskIdentity(77, 78, (int) 4_000_000_000L, 0, ""),
                RawStack.EMPTY, new RawStack(List.of(), EFAULT));
    }

    /** Every counter distinct, so a field mixed up on the wire shows. */
    static MemcgStat distinctMemcgStat(long memcgId) {
        EnumMap<MemcgStatItem, Long> values = new EnumMap<>(MemcgStatItem.class);
        for (MemcgStatItem item : MemcgStatItem.values()) {
            values.put(item, (item.ordinal() + 1L) * 4096 + item.ordinal());
        }
        return new MemcgStat(memcgId, values);
    }

    /**
     * An unlimited memcg ("max") next to one whose counters are all zero: the zero one is
     * present, which the wire format must keep apart from absent.
     */
    static OomKill unlimitedAndAllZeroMemcgs() {
        return new OomKill(Long.MAX_VALUE, ProbeSource.TP_BTF, new TaskIdentity(10, 11, 12, 13, "sh"), 0,
                new VictimMemory(0, 0, 0, 0, 0),
                Optional.of(new MemcgState(13, 700, MemcgState.UNLIMITED, 0, 0, 0, 900, MemcgState.UNLIMITED)),
                OomConstraint.MEMCG, Optional.of(new MemcgState(0, 0, 0, 0, 0, 0, 0, 0)),
                new TaskIdentity(10, 10, 12, 13, "sh"), new RawStack(List.of(0xffffffff81000000L), 0),
                new RawStack(List.of(0x401000L), 0), Optional.empty(),
                // The kernel's mapping lookup failed (EBUSY): nothing located.
                new UserFrameFiles(List.of(Optional.empty()), 16));
    }

    /** Killed by SIGKILL (status 9) after the kernel marked it an OOM victim. */
    static ProcessExit oomVictimExit() {
        return new ProcessExit(1_234_567_990_000L, new TaskIdentity(4242, 4242, 1000, 9001, "java"), 9, true);
    }

    /** Exit status 3 (bits 8-15) with the core-dump bit and SIGABRT: every status bit survives. */
    static ProcessExit abortWithCoreDump() {
        return new ProcessExit(5, new TaskIdentity(-1, Integer.MIN_VALUE, -1, -1L, "a\u00e9\u4e2d"),
                (3 << 8) | 0x80 | 6, false);
    }

    static List<io.nodescope.event.NodeEvent> allKinds() {
        return List.of(memcgOomWithEveryField(), globalOomWithoutMemcgs(), unlimitedAndAllZeroMemcgs(),
                oomVictimExit(), abortWithCoreDump());
    }
}
