package io.nodescope.module.oom;

import io.nodescope.span.SpanFactory;
import io.nodescope.span.WorkloadResources;

import static io.nodescope.module.oom.OomKillAttributes.*;
import static io.nodescope.module.oom.TestKills.EXIT_BOOT_NANOS;
import static io.nodescope.module.oom.TestKills.KILL_BOOT_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodescope.event.BootClock;
import io.nodescope.module.exit.ProcessExit;
import io.nodescope.event.TaskIdentity;
import io.nodescope.symbol.Frame;
import io.nodescope.symbol.NamedStacks;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OomKillSpanMapperTest {
    /** Boot at 2024-05-01T12:00:00.000000007Z. */
    private static final long OFFSET = 1_714_564_800_000_000_007L;
    private static final Resource NODE = Resource.builder().put("service.name", "nodescope").build();

    private final WorkloadResources resources = new WorkloadResources(NODE);
    private final OomKillSpanMapper mapper = new OomKillSpanMapper(new SpanFactory(BootClock.fixed(OFFSET), resources));

    private static Map<String, Object> attributes(SpanData span) {
        Map<String, Object> byName = new HashMap<>();
        span.getAttributes().forEach((key, value) -> byName.put(key.getKey(), value));
        return byName;
    }

    @Test
    void startsAtTheMarkAndEndsAtTheDeathInEpochNanos() {
        SpanData span = mapper.toSpan(TestKills.enriched(TestKills.memcgKill()),
                Optional.of(TestKills.sigkillExit(TestKills.VICTIM_TGID)));

        assertEquals(OFFSET + KILL_BOOT_NANOS, span.getStartEpochNanos());
        assertEquals(OFFSET + EXIT_BOOT_NANOS, span.getEndEpochNanos());
    }

    @Test
    void withoutDeathTheSpanEndsWhereItStarts() {
        SpanData span = mapper.toSpan(TestKills.enriched(TestKills.memcgKill()), Optional.empty());

        assertEquals(OFFSET + KILL_BOOT_NANOS, span.getEndEpochNanos());
    }

    @Test
    void isAnEndedInternalErrorSpanNamedOomKillWithValidIds() {
        SpanData span = mapper.toSpan(TestKills.enriched(TestKills.memcgKill()), Optional.empty());

        assertEquals("oom.kill", span.getName());
        assertEquals(SpanKind.INTERNAL, span.getKind());
        assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
        assertTrue(span.getSpanContext().isValid());
        assertTrue(span.getSpanContext().isSampled());
        assertTrue(span.hasEnded());
        assertEquals(span.getAttributes().size(), span.getTotalAttributeCount());
    }

    @Test
    void memcgKillWithDeathAndEveryPathResolvedHasEveryAttribute() {
        SpanData span = mapper.toSpan(TestKills.resolved(TestKills.memcgKill(), "/kubepods/pod-a/c1"),
                Optional.of(TestKills.sigkillExit(TestKills.VICTIM_TGID)));

        Map<String, Object> expected = new HashMap<>();
        expected.put("process.pid", 4242L);
        expected.put("thread.id", 4243L);
        expected.put("process.executable.name", "oom-alloc");
        expected.put("process.executable.path", "/usr/bin/oom-alloc");
        expected.put("process.user.id", 1000L);
        expected.put("process.exit.code", 137L);
        expected.put("process.exit.time", "2024-05-01T12:00:05.004000463Z");
        expected.put("nodescope.probe", "tp_btf");
        expected.put("nodescope.oom.constraint", "memcg");
        expected.put("nodescope.oom.victim.exit_seen", true);
        expected.put("nodescope.oom.victim.exit_signal", 9L);
        expected.put("nodescope.oom.victim.oom_score_adj", 800L);
        expected.put("nodescope.oom.victim.total_vm_bytes", 100L << 20);
        expected.put("nodescope.oom.victim.rss_anon_bytes", 30L << 20);
        expected.put("nodescope.oom.victim.rss_file_bytes", 2L << 20);
        expected.put("nodescope.oom.victim.rss_shmem_bytes", 1L << 20);
        expected.put("nodescope.oom.victim.pgtables_bytes", 64L << 10);
        expected.put("nodescope.memcg.id", 9001L);
        expected.put("nodescope.memcg.path", "/kubepods/pod-a/c1");
        expected.put("nodescope.memcg.usage_bytes", 31L << 20);
        expected.put("nodescope.memcg.limit_bytes", 32L << 20);
        expected.put("nodescope.memcg.failcnt", 17L);
        expected.put("nodescope.memcg.oom_events", 3L);
        expected.put("nodescope.memcg.oom_kill_events", 2L);
        expected.put("nodescope.memcg.memsw_usage_bytes", 33L << 20);
        expected.put("nodescope.memcg.memsw_limit_bytes", 64L << 20);
        expected.put("nodescope.oom.memcg.id", 8000L);
        expected.put("nodescope.oom.memcg.path", "/kubepods/pod-a");
        expected.put("nodescope.oom.memcg.usage_bytes", 60L << 20);
        expected.put("nodescope.oom.memcg.limit_bytes", 64L << 20);
        expected.put("nodescope.oom.memcg.failcnt", 5L);
        expected.put("nodescope.oom.memcg.oom_events", 1L);
        expected.put("nodescope.oom.memcg.oom_kill_events", 0L);
        expected.put("nodescope.oom.trigger.pid", 5151L);
        expected.put("nodescope.oom.trigger.tid", 5152L);
        expected.put("nodescope.oom.trigger.comm", "allocator");
        expected.put("nodescope.oom.trigger.executable.path", "/usr/bin/allocator");
        expected.put("nodescope.oom.trigger.memcg.id", 9002L);
        expected.put("nodescope.oom.trigger.memcg.path", "/kubepods/pod-a/trigger");
        expected.put("nodescope.oom.trigger.kernel_stack", List.of("0xffffffff81234567", "0xffffffffc0a01234"));
        expected.put("nodescope.oom.trigger.user_stack", List.of("0x7f3a12345678"));
        // Without a symbolizer the frames are the bare addresses, and so is the text.
        expected.put("nodescope.oom.trigger.kernel_stack.addresses", List.of("0xffffffff81234567", "0xffffffffc0a01234"));
        expected.put("nodescope.oom.trigger.user_stack.addresses", List.of("0x7f3a12345678"));
        expected.put("code.stacktrace", "0xffffffff81234567\n0xffffffffc0a01234\n0x7f3a12345678");
        assertEquals(expected, attributes(span));
    }

    @Test
    void namedFramesAreTheStackLinesAndTheStackTraceIsKernelThenUser() {
        OomKill kill = TestKills.memcgKill();
        Frame kernelFrame = new Frame(0xffffffff81234567L, Optional.of("out_of_memory"), 0x214,
                Optional.of("[kernel.kallsyms]"), 0xffffffff81234567L, Optional.empty(), 0);
        Frame bpfFrame = new Frame(0xffffffffc0a01234L, Optional.empty(), 0, Optional.empty(), 0xffffffffc0a01234L,
                Optional.empty(), 0);
        Frame userFrame = new Frame(0x7f3a12345678L, Optional.of("touch_pages"), 0x1c,
                Optional.of("/usr/bin/oom-alloc"), 0x11c4, Optional.of("oom-alloc.c"), 42);

        SpanData span = mapper.toSpan(TestKills.enriched(kill), Optional.empty(),
                new NamedStacks(List.of(kernelFrame, bpfFrame), List.of(userFrame)));

        assertEquals(List.of("out_of_memory+0x214 ([kernel.kallsyms]+0xffffffff81234567)", "0xffffffffc0a01234"),
                span.getAttributes().get(OomKillAttributes.TRIGGER_KERNEL_STACK));
        assertEquals(List.of("touch_pages+0x1c (/usr/bin/oom-alloc+0x11c4) oom-alloc.c:42"),
                span.getAttributes().get(OomKillAttributes.TRIGGER_USER_STACK));
        assertEquals(List.of("0x7f3a12345678"), span.getAttributes().get(OomKillAttributes.TRIGGER_USER_STACK_ADDRESSES));
        assertEquals("""
                out_of_memory+0x214 ([kernel.kallsyms]+0xffffffff81234567)
                0xffffffffc0a01234
                touch_pages+0x1c (/usr/bin/oom-alloc+0x11c4) oom-alloc.c:42""",
                span.getAttributes().get(OomKillAttributes.CODE_STACKTRACE));
    }

    @Test
    void tracepointGlobalKillWithoutDeathHasOnlyWhatTheTracepointGives() {
        SpanData span = mapper.toSpan(TestKills.enriched(TestKills.tracepointGlobalKill()), Optional.empty());

        Map<String, Object> expected = new HashMap<>();
        expected.put("process.pid", 4242L);
        expected.put("thread.id", 4242L);
        expected.put("process.executable.name", "java");
        expected.put("process.user.id", 0L);
        expected.put("nodescope.probe", "tracepoint");
        expected.put("nodescope.oom.constraint", "global");
        expected.put("nodescope.oom.victim.exit_seen", false);
        expected.put("nodescope.oom.victim.oom_score_adj", 0L);
        expected.put("nodescope.oom.victim.total_vm_bytes", 1L);
        expected.put("nodescope.oom.victim.rss_anon_bytes", 2L);
        expected.put("nodescope.oom.victim.rss_file_bytes", 3L);
        expected.put("nodescope.oom.victim.rss_shmem_bytes", 4L);
        expected.put("nodescope.oom.victim.pgtables_bytes", 5L);
        expected.put("nodescope.oom.trigger.pid", 77L);
        expected.put("nodescope.oom.trigger.tid", 78L);
        expected.put("nodescope.oom.trigger.comm", "kswapd");
        expected.put("nodescope.oom.trigger.kernel_stack_error", 2L);
        expected.put("nodescope.oom.trigger.user_stack_error", (long) TestKills.EFAULT);
        assertEquals(expected, attributes(span));
    }

    @Test
    void memcgWithoutMemswCounterHasNoMemswAttributes() {
        SpanData span = mapper.toSpan(TestKills.enriched(TestKills.memcgKill()), Optional.empty());

        // POD_MEMCG: memsw usage 0 (no memsw counter), memsw limit unlimited.
        assertNull(span.getAttributes().get(CONSTRAINING_MEMCG.memswLimitBytes()));
        assertNull(span.getAttributes().get(CONSTRAINING_MEMCG.memswUsageBytes()));
    }

    @Test
    void unlimitedMemoryLimitIsOmittedAndTheStatusNamesNoLimit() {
        var unlimited = new io.nodescope.event.MemcgState(1, 10, io.nodescope.event.MemcgState.UNLIMITED, 0, 0, 0,
                20, io.nodescope.event.MemcgState.UNLIMITED);
        OomKill base = TestKills.memcgKill();
        OomKill kill = new OomKill(base.bootTimeNanos(), base.source(), base.victim(), base.victimOomScoreAdj(),
                base.victimMemory(), Optional.of(unlimited), base.constraint(), Optional.of(unlimited),
                base.trigger(), base.triggerKernelStack(), base.triggerUserStack());

        SpanData span = mapper.toSpan(TestKills.enriched(kill), Optional.empty());

        assertNull(span.getAttributes().get(VICTIM_MEMCG.limitBytes()));
        assertNull(span.getAttributes().get(VICTIM_MEMCG.memswLimitBytes()));
        assertEquals(20L, span.getAttributes().get(VICTIM_MEMCG.memswUsageBytes()));
        assertEquals("OOM killer killed oom-alloc (pid 4242)", span.getStatus().getDescription());
    }

    @Test
    void statusNamesVictimLimitAndExitCode() {
        SpanData span = mapper.toSpan(TestKills.enriched(TestKills.memcgKill()),
                Optional.of(TestKills.sigkillExit(TestKills.VICTIM_TGID)));

        assertEquals("OOM killer killed oom-alloc (pid 4242) at memcg limit 64.0 MiB, exit code 137",
                span.getStatus().getDescription());
    }

    @Test
    void statusOfAGlobalOomSaysTheNodeRanOutOfMemory() {
        SpanData span = mapper.toSpan(TestKills.enriched(TestKills.tracepointGlobalKill()), Optional.empty());

        assertEquals("OOM killer killed java (pid 4242) (node out of memory)", span.getStatus().getDescription());
    }

    @Test
    void spansOfTheSameCgroupShareOneResourceObject() {
        SpanData first = mapper.toSpan(TestKills.resolved(TestKills.memcgKill(1), "/pod-a/c1"), Optional.empty());
        SpanData second = mapper.toSpan(TestKills.resolved(TestKills.memcgKill(2), "/pod-a/c1"), Optional.empty());

        assertSame(first.getResource(), second.getResource());
        assertEquals("/pod-a/c1", first.getResource().getAttribute(WorkloadResources.CGROUP_PATH));
        assertEquals("nodescope", first.getResource().getAttribute(AttributeKey.stringKey("service.name")));
    }

    @Test
    void spansOfAnotherCgroupHaveAnotherResource() {
        SpanData first = mapper.toSpan(TestKills.resolved(TestKills.memcgKill(1), "/pod-a/c1"), Optional.empty());
        SpanData other = mapper.toSpan(TestKills.resolved(TestKills.memcgKill(2), "/pod-b/c1"), Optional.empty());

        assertNotSame(first.getResource(), other.getResource());
        assertEquals("/pod-b/c1", other.getResource().getAttribute(WorkloadResources.CGROUP_PATH));
    }

    @Test
    void spanWithoutCgroupPathCarriesTheNodeResource() {
        SpanData span = mapper.toSpan(TestKills.enriched(TestKills.memcgKill()), Optional.empty());
        SpanData next = mapper.toSpan(TestKills.enriched(TestKills.memcgKill(2)), Optional.empty());

        assertEquals(NODE.getAttributes(), span.getResource().getAttributes());
        assertSame(span.getResource(), next.getResource(), "one Resource object, so one ResourceSpans group");
    }

    @Test
    void uidAboveTwoToTheThirtyOneIsReportedUnsigned() {
        OomKill base = TestKills.tracepointGlobalKill();
        // The kernel's uid is a u32; 4294967294 arrives as the Java int -2.
        TaskIdentity victim = new TaskIdentity(4242, 4242, (int) 4_294_967_294L, 0, "java");
        OomKill kill = new OomKill(base.bootTimeNanos(), base.source(), victim, base.victimOomScoreAdj(),
                base.victimMemory(), base.victimMemcg(), base.constraint(), base.constrainingMemcg(),
                base.trigger(), base.triggerKernelStack(), base.triggerUserStack());

        SpanData span = mapper.toSpan(TestKills.enriched(kill), Optional.empty());

        assertEquals(4_294_967_294L, span.getAttributes().get(PROCESS_USER_ID));
    }

    @Test
    void everySpanHasItsOwnTraceId() {
        SpanData first = mapper.toSpan(TestKills.enriched(TestKills.memcgKill()), Optional.empty());
        SpanData second = mapper.toSpan(TestKills.enriched(TestKills.memcgKill()), Optional.empty());

        assertTrue(!first.getTraceId().equals(second.getTraceId()));
    }

    @Test
    void aDeathMicrosecondsBeforeTheMarkEndsTheSpanAtItsStartAndKeepsItsOwnTime() {
        ProcessExit early = new ProcessExit(KILL_BOOT_NANOS - 7_000, new TaskIdentity(4242, 4242, 1000, 9001,
                "oom-alloc"), 9, true);

        SpanData span = mapper.toSpan(TestKills.enriched(TestKills.memcgKill()), Optional.of(early));

        assertEquals(span.getStartEpochNanos(), span.getEndEpochNanos());
        assertEquals(java.time.Instant.EPOCH.plusNanos(span.getStartEpochNanos() - 7_000).toString(),
                span.getAttributes().get(PROCESS_EXIT_TIME));
    }
}
