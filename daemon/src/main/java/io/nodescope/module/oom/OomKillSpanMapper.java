package io.nodescope.module.oom;

import io.nodescope.span.SpanFactory;

import io.nodescope.event.BootClock;
import io.nodescope.event.MemcgStat;
import io.nodescope.event.MemcgState;
import io.nodescope.module.exit.ProcessExit;
import io.nodescope.module.oom.incident.OomIncident;
import io.nodescope.event.RawStack;
import io.nodescope.symbol.Frame;
import io.nodescope.symbol.NamedStacks;
import io.nodescope.span.Bytes;
import io.nodescope.span.SpanFactory;
import io.nodescope.span.StackAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.nodescope.module.oom.OomKillAttributes.*;

/**
 * One OOM kill as one span "oom.kill": it starts when the kernel marked the victim and ends when
 * the victim's process died (the exit-137 moment), or at the mark when no death was seen.
 */
public final class OomKillSpanMapper {
    public static final String SPAN_NAME = "oom.kill";

    private final SpanFactory spans;

    public OomKillSpanMapper(SpanFactory spans) {
        this.spans = spans;
    }

    /** With the stacks as bare addresses (nothing could name them, e.g. a replay). */
    public SpanData toSpan(EnrichedOomKill enriched, Optional<ProcessExit> victimExit) {
        return toSpan(enriched, victimExit, NamedStacks.unresolved(enriched.kill().triggerKernelStack(),
                enriched.kill().triggerUserStack()));
    }

    public SpanData toSpan(EnrichedOomKill enriched, Optional<ProcessExit> victimExit, NamedStacks stacks) {
        OomKill kill = enriched.kill();
        long start = spans.epochNanos(kill.bootTimeNanos());
        long death = victimExit.map(exit -> spans.epochNanos(exit.bootTimeNanos())).orElse(start);
        // SIGKILL is sent just before the mark: a quick victim can die microseconds before it.
        long end = Math.max(start, death);
        AttributesBuilder attributes = Attributes.builder()
                .put(PROCESS_PID, kill.victim().tgid())
                .put(THREAD_ID, kill.victim().tid())
                .put(PROCESS_EXECUTABLE_NAME, kill.victim().comm())
                // The kernel's uid is a u32 (user namespaces map ranges above 2^31): not a negative id.
                .put(PROCESS_USER_ID, Integer.toUnsignedLong(kill.victim().uid()))
                .put(PROBE, kill.source().attributeValue())
                .put(CONSTRAINT, kill.constraint().attributeValue())
                .put(VICTIM_OOM_SCORE_ADJ, kill.victimOomScoreAdj())
                .put(VICTIM_TOTAL_VM, kill.victimMemory().totalVmBytes())
                .put(VICTIM_RSS_ANON, kill.victimMemory().rssAnonBytes())
                .put(VICTIM_RSS_FILE, kill.victimMemory().rssFileBytes())
                .put(VICTIM_RSS_SHMEM, kill.victimMemory().rssShmemBytes())
                .put(VICTIM_PAGE_TABLES, kill.victimMemory().pageTablesBytes())
                .put(VICTIM_EXIT_SEEN, victimExit.isPresent())
                .put(TRIGGER_PID, kill.trigger().tgid())
                .put(TRIGGER_TID, kill.trigger().tid())
                .put(TRIGGER_COMM, kill.trigger().comm());
        enriched.victimExecutablePath().ifPresent(path -> attributes.put(PROCESS_EXECUTABLE_PATH, path));
        victimExit.ifPresent(exit -> {
            attributes.put(PROCESS_EXIT_CODE, exit.exitCode());
            attributes.put(PROCESS_EXIT_TIME, Instant.EPOCH.plusNanos(death).toString());
            if (exit.terminatingSignal() != 0) {
                attributes.put(VICTIM_EXIT_SIGNAL, exit.terminatingSignal());
            }
        });
        kill.victimMemcg().ifPresent(memcg -> putMemcg(attributes, VICTIM_MEMCG, memcg));
        enriched.victimCgroupPath().ifPresent(path -> attributes.put(VICTIM_MEMCG.path(), path));
        kill.constrainingMemcg().ifPresent(memcg -> putMemcg(attributes, CONSTRAINING_MEMCG, memcg));
        enriched.constrainingCgroupPath().ifPresent(path -> attributes.put(CONSTRAINING_MEMCG.path(), path));
        kill.memcgStat().ifPresent(stat -> putMemcgStat(attributes, kill, stat));
        if (kill.trigger().memcgId() != 0) {
            attributes.put(TRIGGER_MEMCG_ID, kill.trigger().memcgId());
        }
        enriched.triggerCgroupPath().ifPresent(path -> attributes.put(TRIGGER_CGROUP_PATH, path));
        enriched.triggerExecutablePath().ifPresent(path -> attributes.put(TRIGGER_EXECUTABLE_PATH, path));
        TRIGGER_KERNEL.put(attributes, kill.triggerKernelStack(), stacks.kernel());
        TRIGGER_USER.put(attributes, stacks.unwoundUser().orElse(kill.triggerUserStack()), stacks.user());
        StackAttributes.putStackTrace(attributes, stacks.kernel(), stacks.user());
        Optional<OomIncident> incident = OomIncidentParts.incident(enriched);
        incident.ifPresent(found -> OomIncidentParts.putAttributes(attributes, found, kill.bootTimeNanos()));
        return spans.span(SPAN_NAME, spans.newTrace(), SpanContext.getInvalid(),
                StatusData.create(StatusCode.ERROR, describe(kill, victimExit)), start, end, attributes.build(),
                incident.map(found -> OomIncidentParts.events(found, spans)).orElse(List.of()), List.of(),
                enriched.victimWorkload());
    }

    /** The status line a person reads first. */
    static String describe(OomKill kill, Optional<ProcessExit> victimExit) {
        String limit = kill.constrainingMemcg().flatMap(memcg -> memcg.limit().isPresent()
                        ? Optional.of(" at memcg limit " + Bytes.humanReadable(memcg.limitBytes())) : Optional.empty())
                .orElse(kill.constraint() == OomConstraint.GLOBAL ? " (node out of memory)" : "");
        String died = victimExit.map(exit -> ", exit code " + exit.exitCode()).orElse("");
        return "OOM killer killed " + kill.victim().comm() + " (pid " + kill.victim().tgid() + ")" + limit + died;
    }

    private static void putMemcgStat(AttributesBuilder attributes, OomKill kill, MemcgStat stat) {
        attributes.put(OOM_STAT.memcgId(), stat.memcgId());
        stat.values().forEach((item, value) -> attributes.put(OOM_STAT.items().get(item), value));
        // The usage read with the same counters: the constraining memcg's, or the victim's own.
        Stream.of(kill.constrainingMemcg(), kill.victimMemcg())
                .flatMap(Optional::stream)
                .filter(memcg -> memcg.id() == stat.memcgId())
                .findFirst()
                .ifPresent(memcg -> attributes.put(OOM_STAT.workingSetBytes(), stat.workingSetBytes(memcg.usageBytes())));
    }

    private static void putMemcg(AttributesBuilder attributes, MemcgKeys keys, MemcgState memcg) {
        attributes.put(keys.id(), memcg.id())
                .put(keys.usageBytes(), memcg.usageBytes())
                .put(keys.failcnt(), memcg.failcnt())
                .put(keys.oomEvents(), memcg.oomEvents())
                .put(keys.oomKillEvents(), memcg.oomKillEvents());
        memcg.limit().ifPresent(limit -> attributes.put(keys.limitBytes(), limit));
        if (memcg.memswUsageBytes() > 0) {
            attributes.put(keys.memswUsageBytes(), memcg.memswUsageBytes());
        }
        if (memcg.memswLimitBytes() != MemcgState.UNLIMITED && memcg.memswUsageBytes() > 0) {
            attributes.put(keys.memswLimitBytes(), memcg.memswLimitBytes());
        }
    }

}
