package io.nodescope.module.oom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.nodescope.event.BootClock;
import io.nodescope.event.MemcgStat;
import io.nodescope.event.MemcgStatItem;
import io.nodescope.span.SpanFactory;
import io.nodescope.span.WorkloadResources;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The memcg's memory.stat at the kill as nodescope.oom.stat.* attributes. */
class OomKillMemcgStatSpanTest {
    private final OomKillSpanMapper mapper = new OomKillSpanMapper(
            new SpanFactory(BootClock.fixed(0), new WorkloadResources(Resource.empty())));

    private static OomKill withStat(OomKill kill, MemcgStat stat) {
        return new OomKill(kill.bootTimeNanos(), kill.source(), kill.victim(), kill.victimOomScoreAdj(),
                kill.victimMemory(), kill.victimMemcg(), kill.constraint(), kill.constrainingMemcg(), kill.trigger(),
                kill.triggerKernelStack(), kill.triggerUserStack(), kill.victimCgroupPath(),
                kill.triggerUserFrameFiles(), Optional.of(stat), kill.triggerUserState(), kill.triggerStackMappings());
    }

    private SpanData span(OomKill kill) {
        return mapper.toSpan(TestKills.enriched(kill), Optional.empty());
    }

    @Test
    void everyItemIsAnAttributeBytesNamedAsBytes() {
        MemcgStat stat = TestKills.memcgStat(TestKills.POD_MEMCG.id());
        SpanData span = span(withStat(TestKills.memcgKill(), stat));

        assertEquals(TestKills.POD_MEMCG.id(), span.getAttributes().get(AttributeKey.longKey("nodescope.oom.stat.memcg.id")));
        assertEquals(1L << 20, span.getAttributes().get(AttributeKey.longKey("nodescope.oom.stat.anon_bytes")));
        assertEquals(17L << 20, span.getAttributes().get(AttributeKey.longKey("nodescope.oom.stat.inactive_file_bytes")));
        assertEquals(24L, span.getAttributes().get(AttributeKey.longKey("nodescope.oom.stat.workingset_refault_file")));
        for (MemcgStatItem item : MemcgStatItem.values()) {
            assertEquals(stat.get(item), span.getAttributes().get(OomKillAttributes.OOM_STAT.items().get(item)), item.name());
        }
    }

    /** The kubelet's rule, with the usage of the memcg the counters belong to (the pod's here). */
    @Test
    void workingSetIsThatMemcgsUsageMinusInactiveFile() {
        SpanData span = span(withStat(TestKills.memcgKill(), TestKills.memcgStat(TestKills.POD_MEMCG.id())));

        assertEquals((60L << 20) - (17L << 20), span.getAttributes().get(OomKillAttributes.OOM_STAT.workingSetBytes()));
    }

    @Test
    void workingSetIsNeverNegative() {
        assertEquals(0, TestKills.memcgStat(1).workingSetBytes(1L << 20));
    }

    @Test
    void withoutTheCountersOfAKnownMemcgThereIsNoWorkingSet() {
        SpanData span = span(withStat(TestKills.memcgKill(), TestKills.memcgStat(4242)));

        assertFalse(span.getAttributes().asMap().containsKey(OomKillAttributes.OOM_STAT.workingSetBytes()));
    }

    @Test
    void aKillWithoutCountersHasNoStatAttributes() {
        SpanData span = span(TestKills.memcgKill());

        span.getAttributes().forEach((key, value) ->
                assertFalse(key.getKey().startsWith("nodescope.oom.stat."), key.getKey()));
    }
}
