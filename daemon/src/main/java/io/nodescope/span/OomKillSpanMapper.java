package io.nodescope.span;

import io.nodescope.event.BootClock;
import io.nodescope.event.MemcgState;
import io.nodescope.event.OomConstraint;
import io.nodescope.event.OomKill;
import io.nodescope.event.ProcessExit;
import io.nodescope.event.RawStack;
import io.nodescope.proc.EnrichedOomKill;
import io.nodescope.symbol.Frame;
import io.nodescope.symbol.TriggerStacks;
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

import static io.nodescope.span.OomKillAttributes.*;

/**
 * One OOM kill as one span "oom.kill": it starts when the kernel marked the victim and ends when
 * the victim's process died (the exit-137 moment), or at the mark when no death was seen.
 */
public final class OomKillSpanMapper {
    public static final String SPAN_NAME = "oom.kill";
    static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.builder("io.nodescope")
            .setVersion(Optional.ofNullable(OomKillSpanMapper.class.getPackage().getImplementationVersion())
                    .orElse("dev"))
            .build();

    private final BootClock clock;
    private final WorkloadResources resources;
    private final IdGenerator ids = IdGenerator.random();

    public OomKillSpanMapper(BootClock clock, WorkloadResources resources) {
        this.clock = clock;
        this.resources = resources;
    }

    /** With the stacks as bare addresses (nothing could name them, e.g. a replay). */
    public SpanData toSpan(EnrichedOomKill enriched, Optional<ProcessExit> victimExit) {
        return toSpan(enriched, victimExit, TriggerStacks.unresolved(enriched.kill()));
    }

    public SpanData toSpan(EnrichedOomKill enriched, Optional<ProcessExit> victimExit, TriggerStacks stacks) {
        OomKill kill = enriched.kill();
        long start = clock.toEpochNanos(kill.bootTimeNanos());
        long death = victimExit.map(exit -> clock.toEpochNanos(exit.bootTimeNanos())).orElse(start);
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
        if (kill.trigger().memcgId() != 0) {
            attributes.put(TRIGGER_MEMCG_ID, kill.trigger().memcgId());
        }
        enriched.triggerCgroupPath().ifPresent(path -> attributes.put(TRIGGER_CGROUP_PATH, path));
        enriched.triggerExecutablePath().ifPresent(path -> attributes.put(TRIGGER_EXECUTABLE_PATH, path));
        putStack(attributes, TRIGGER_KERNEL_STACK, TRIGGER_KERNEL_STACK_ADDRESSES, TRIGGER_KERNEL_STACK_ERROR,
                kill.triggerKernelStack(), stacks.kernel());
        putStack(attributes, TRIGGER_USER_STACK, TRIGGER_USER_STACK_ADDRESSES, TRIGGER_USER_STACK_ERROR,
                kill.triggerUserStack(), stacks.user());
        String stackTrace = Stream.concat(stacks.kernel().stream(), stacks.user().stream())
                .map(Frame::toStackLine).collect(Collectors.joining("\n"));
        if (!stackTrace.isEmpty()) {
            attributes.put(CODE_STACKTRACE, stackTrace);
        }

        SpanContext context = SpanContext.create(ids.generateTraceId(), ids.generateSpanId(),
                TraceFlags.getSampled(), TraceState.getDefault());
        return new NodeSpan(SPAN_NAME, SpanKind.INTERNAL, context, StatusData.create(
                StatusCode.ERROR, describe(kill, victimExit)),
                start, end, attributes.build(), List.of(),
                resources.forWorkload(enriched.victimWorkload()), SCOPE);
    }

    /** The status line a person reads first. */
    static String describe(OomKill kill, Optional<ProcessExit> victimExit) {
        String limit = kill.constrainingMemcg().flatMap(memcg -> memcg.limit().isPresent()
                        ? Optional.of(" at memcg limit " + Bytes.humanReadable(memcg.limitBytes())) : Optional.empty())
                .orElse(kill.constraint() == OomConstraint.GLOBAL ? " (node out of memory)" : "");
        String died = victimExit.map(exit -> ", exit code " + exit.exitCode()).orElse("");
        return "OOM killer killed " + kill.victim().comm() + " (pid " + kill.victim().tgid() + ")" + limit + died;
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

    /** Frames as text lines (what a person reads) and the raw addresses beside them (what a tool re-resolves). */
    private static void putStack(AttributesBuilder attributes, AttributeKey<List<String>> framesKey,
                                 AttributeKey<List<String>> addressesKey, AttributeKey<Long> errorKey,
                                 RawStack stack, List<Frame> frames) {
        if (stack.error() != 0) {
            attributes.put(errorKey, stack.error());
        }
        if (!frames.isEmpty()) {
            attributes.put(framesKey, frames.stream().map(Frame::toStackLine).toList());
            attributes.put(addressesKey, stack.addresses().stream()
                    .map(address -> "0x" + Long.toHexString(address)).toList());
        }
    }
}
