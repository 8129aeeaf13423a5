package io.nodescope.module.oom;

import static io.nodescope.decode.SharedLayout.*;
import static io.nodescope.module.oom.OomKillLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.event.CgroupPath;
import io.nodescope.event.KernelFile;
import io.nodescope.event.MemcgStat;
import io.nodescope.event.MemcgStatItem;
import io.nodescope.event.MemcgState;
import io.nodescope.event.NodeEvent;
import io.nodescope.event.ProbeSource;
import io.nodescope.decode.EventDecoder;
import io.nodescope.testing.SyntheticRecords;
import io.nodescope.event.RawStack;
import io.nodescope.event.TaskIdentity;
import io.nodescope.event.UserFrameFiles;
import io.nodescope.metrics.MetricsRegistry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** OOM kill records through the decoder, field by field, and the checks every record passes. */
class OomKillFormatTest {
    private static final long PAGE = 4096;
    private static final long UNLIMITED_PAGES = Long.MAX_VALUE / PAGE;
    private static final int ALL_OOM_FLAGS = F_TP_BTF | F_VICTIM_MEMCG | F_MEMCG_CONSTRAINED;

    private final MetricsRegistry metrics = new MetricsRegistry();
    private final EventDecoder decoder = new EventDecoder(PAGE, metrics, List.of(OomKillFormat.FORMAT));

    private Optional<NodeEvent> decode(SyntheticRecords record) {
        return decoder.decode(record.buffer(), SyntheticRecords.AT, record.length());
    }

    private OomKill decodeOom(SyntheticRecords record) {
        return (OomKill) decode(record).orElseThrow();
    }

    private void assertSkippedAndCounted(SyntheticRecords record, int length) {
        assertEquals(Optional.empty(), decoder.decode(record.buffer(), SyntheticRecords.AT, length));
        assertEquals(1, decoder.undecodableCount());
        assertTrue(metrics.renderPrometheusText().contains("\nnodescope_events_undecodable_total 1.0\n"),
                metrics.renderPrometheusText());
    }

    /** Every field distinct; memcg counters in pages. */
    private static SyntheticRecords fullOomKill() {
        return SyntheticRecords.of(KIND, VERSION, BYTES)
                .u64(HEADER_BOOT_NS, 123_456_789_012L)
                .s32(FLAGS, ALL_OOM_FLAGS)
                .s32(VICTIM_OOM_SCORE_ADJ, -17)
                .task(VICTIM, 4242, 4243, 1000, 9001, "oom-alloc")
                .u64(VICTIM_TOTAL_VM_PAGES, 1000)
                .u64(VICTIM_RSS_ANON_PAGES, 300)
                .u64(VICTIM_RSS_FILE_PAGES, 20)
                .u64(VICTIM_RSS_SHMEM_PAGES, 10)
                .u64(VICTIM_PGTABLES_BYTES, 65_536)
                .memcg(VICTIM_MEMCG, 9001, 8000, 8192, 17, 3, 2, 8100, 16384)
                .memcg(CONSTRAINING_MEMCG, 8000, 15000, 16384, 5, 1, 0, 0, UNLIMITED_PAGES)
                .task(TRIGGER, 5151, 5152, 0, 9002, "allocator")
                .stack(KERNEL_STACK_BYTES, KERNEL_STACK, 0xffffffff81234567L, 0xffffffffc0a01234L)
                .stack(USER_STACK_BYTES, USER_STACK, 0x7f3a12345678L)
                .cgroupPath(VICTIM_MEMCG_PATH, false, new String[] {"cri-containerd-abc.scope", "pod-a"},
                        new long[] {9001, 8000});
    }

    @Test
    void userFramesPointIntoTheFilesTheKernelLocatedThemIn() {
        OomKill kill = decodeOom(fullOomKill()
                .stack(USER_STACK_BYTES, USER_STACK, 0x5555_0000_1234L, 0x7f00_0000_0010L, 0x7f3a_0002_724aL,
                        0x5555_0000_2000L)
                .u32(USER_FRAMES + USER_FRAMES_FILE_COUNT, 2)
                .userFile(USER_FRAMES, 0, (254L << 20) | 3, 5_316_658, false, "oom-alloc", "demo", "build")
                .userFile(USER_FRAMES, 1, (259L << 20) | 300, 77, true, "libc.so.6")
                .userFrame(USER_FRAMES, 0, 0, 0x234, 1)
                .userFrame(USER_FRAMES, 1, NO_FILE, 0, 0)
                .userFrame(USER_FRAMES, 2, 1, 0x24a, 0x27)
                .userFrame(USER_FRAMES, 3, 5, 0x10, 0)); // a slot past the recorded files: treated as none

        KernelFile demo = new KernelFile(254, 3, 5_316_658, List.of("build", "demo", "oom-alloc"), false);
        KernelFile libc = new KernelFile(259, 300, 77, List.of("libc.so.6"), true);
        assertEquals(new UserFrameFiles(List.of(
                Optional.of(new UserFrameFiles.FileLocation(demo, 0x234 + PAGE)),
                Optional.empty(),
                Optional.of(new UserFrameFiles.FileLocation(libc, 0x24a + 0x27 * PAGE)),
                Optional.empty()), 0), kill.triggerUserFrameFiles());
    }

    @Test
    void aFailedKernelLookupIsKeptAsItsErrno() {
        OomKill kill = decodeOom(fullOomKill().s32(USER_FRAMES + USER_FRAMES_ERROR, -16));

        assertEquals(new UserFrameFiles(List.of(Optional.empty()), 16), kill.triggerUserFrameFiles());
    }

    @Test
    void decodesEveryFieldOfAnOomKill() {
        OomKill expected = new OomKill(123_456_789_012L, ProbeSource.TP_BTF,
                new TaskIdentity(4242, 4243, 1000, 9001, "oom-alloc"), -17,
                new VictimMemory(1000 * PAGE, 300 * PAGE, 20 * PAGE, 10 * PAGE, 65_536),
                Optional.of(new MemcgState(9001, 8000 * PAGE, 8192 * PAGE, 17, 3, 2, 8100 * PAGE, 16384 * PAGE)),
                OomConstraint.MEMCG,
                Optional.of(new MemcgState(8000, 15000 * PAGE, 16384 * PAGE, 5, 1, 0, 0, MemcgState.UNLIMITED)),
                new TaskIdentity(5151, 5152, 0, 9002, "allocator"),
                new RawStack(List.of(0xffffffff81234567L, 0xffffffffc0a01234L), 0),
                new RawStack(List.of(0x7f3a12345678L), 0),
                Optional.of(new CgroupPath(List.of("cri-containerd-abc.scope", "pod-a"), List.of(9001L, 8000L), false)));

        assertEquals(expected, decodeOom(fullOomKill()));
        assertEquals("/pod-a/cri-containerd-abc.scope", expected.victimCgroupPath().orElseThrow().path());
        assertEquals(0, decoder.undecodableCount());
    }

    /** Each counter distinct (its position + 1), in the unit the kernel keeps it in. */
    @Test
    void decodesTheMemcgStatIntoBytesAndEventCounts() {
        SyntheticRecords record = fullOomKill().u64(MEMCG_STAT + MEMCG_STAT_ID, 8000);
        for (MemcgStatItem item : MemcgStatItem.values()) {
            record.u64(MEMCG_STAT + MEMCG_STAT_VALUES + item.ordinal() * Long.BYTES, item.ordinal() + 1);
        }
        record.u64(MEMCG_STAT + MEMCG_STAT_VALUES + MemcgStatItem.SOCK.ordinal() * Long.BYTES, -3);

        MemcgStat stat = decodeOom(record).memcgStat().orElseThrow();

        assertEquals(8000, stat.memcgId());
        assertEquals(1 * PAGE, stat.get(MemcgStatItem.ANON));
        assertEquals(4 * 1024, stat.get(MemcgStatItem.KERNEL_STACK));
        assertEquals(7, stat.get(MemcgStatItem.PERCPU));
        assertEquals(0, stat.get(MemcgStatItem.SOCK), "a transiently negative counter reads as 0, as in the kernel");
        assertEquals(17 * PAGE, stat.get(MemcgStatItem.INACTIVE_FILE));
        assertEquals(20, stat.get(MemcgStatItem.SLAB_RECLAIMABLE));
        assertEquals(24, stat.get(MemcgStatItem.WORKINGSET_REFAULT_FILE));
    }

    @Test
    void aMemcgStatTheProbeDidNotReadIsAbsent() {
        assertEquals(Optional.empty(), decodeOom(fullOomKill()).memcgStat());
    }

    @Test
    void tracepointFallbackHasNoVictimMemcgAndAGlobalConstraint() {
        OomKill kill = decodeOom(fullOomKill().s32(FLAGS, 0));

        assertEquals(ProbeSource.TRACEPOINT, kill.source());
        assertEquals(Optional.empty(), kill.victimMemcg());
        assertEquals(OomConstraint.GLOBAL, kill.constraint());
        assertEquals(Optional.empty(), kill.constrainingMemcg());
    }

    @Test
    void pageCounterMaxIsUnlimited() {
        OomKill kill = decodeOom(fullOomKill()
                .memcg(VICTIM_MEMCG, 1, 10, UNLIMITED_PAGES, 0, 0, 0, 0, UNLIMITED_PAGES));

        MemcgState memcg = kill.victimMemcg().orElseThrow();
        assertEquals(MemcgState.UNLIMITED, memcg.limitBytes());
        assertEquals(MemcgState.UNLIMITED, memcg.memswLimitBytes());
        assertTrue(memcg.limit().isEmpty());
    }

    @Test
    void largestRealLimitIsNotUnlimited() {
        OomKill kill = decodeOom(fullOomKill()
                .memcg(VICTIM_MEMCG, 1, 10, UNLIMITED_PAGES - 1, 0, 0, 0, 0, 0));

        assertEquals((UNLIMITED_PAGES - 1) * PAGE, kill.victimMemcg().orElseThrow().limitBytes());
    }

    @Test
    void negativeStackByteCountIsTheErrno() {
        OomKill kill = decodeOom(fullOomKill().s32(KERNEL_STACK_BYTES, -2).s32(USER_STACK_BYTES, -14));

        assertEquals(new RawStack(List.of(), 2), kill.triggerKernelStack());
        assertEquals(new RawStack(List.of(), 14), kill.triggerUserStack());
    }

    @Test
    void stackByteCountBeyondTheArrayIsCappedAtItsDepth() {
        OomKill kill = decodeOom(fullOomKill().s32(USER_STACK_BYTES, (MAX_STACK_DEPTH + 5) * Long.BYTES));

        assertEquals(MAX_STACK_DEPTH, kill.triggerUserStack().addresses().size());
    }

    @Test
    void fullLengthCommHasNoTerminatingNul() {
        OomKill kill = decodeOom(fullOomKill().comm(VICTIM + TASK_COMM, "sixteen-chars-ab"));

        assertEquals("sixteen-chars-ab", kill.victim().comm());
    }

    @Test
    void unknownKindIsSkippedAndCounted() {
        SyntheticRecords record = SyntheticRecords.raw(64).header(99, 1, 64);

        assertSkippedAndCounted(record, 64);
    }

    @Test
    void otherLayoutVersionIsSkippedAndCounted() {
        assertSkippedAndCounted(fullOomKill().u16(HEADER_VERSION, VERSION + 1), BYTES);
    }

    @Test
    void sizeFieldOtherThanTheStructIsSkippedAndCounted() {
        assertSkippedAndCounted(fullOomKill().u32(HEADER_SIZE, BYTES + 8), BYTES);
    }

    @Test
    void ringRecordShorterThanTheStructIsSkippedAndCounted() {
        assertSkippedAndCounted(fullOomKill(), BYTES - 8);
    }

    @Test
    void recordShorterThanTheHeaderIsSkippedAndCounted() {
        assertSkippedAndCounted(SyntheticRecords.raw(8), 8);
    }

    @Test
    void pageSizeScalesMemoryCounters() {
        EventDecoder arm64 = new EventDecoder(65_536, new MetricsRegistry(), List.of(OomKillFormat.FORMAT));
        SyntheticRecords record = fullOomKill();

        OomKill kill = (OomKill) arm64.decode(record.buffer(), SyntheticRecords.AT, record.length()).orElseThrow();

        assertEquals(300L * 65_536, kill.victimMemory().rssAnonBytes());
        assertEquals(8192L * 65_536, kill.victimMemcg().orElseThrow().limitBytes());
    }
}
