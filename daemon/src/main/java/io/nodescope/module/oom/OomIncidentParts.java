package io.nodescope.module.oom;

import io.nodescope.event.MemcgStat;
import io.nodescope.event.MemcgStatItem;
import io.nodescope.event.MemcgState;
import io.nodescope.module.oom.incident.MemcgSample;
import io.nodescope.module.oom.incident.OomIncident;
import io.nodescope.module.oom.incident.OomIncidents;
import io.nodescope.span.SpanFactory;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.trace.data.EventData;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import static io.nodescope.module.oom.OomKillAttributes.*;

/** The incident behind a kill (what led to it) as attributes and span events of the oom.kill span. */
final class OomIncidentParts {
    /** Samples on the span, the newest: 5 min at 1 s would be 300, too many for one attribute. */
    static final int MAX_HISTORY_POINTS = 64;
    static final String USAGE_CROSSED = "memcg.usage_crossed";
    static final String LIMIT_FIRST_HIT = "memcg.limit_first_hit";

    private OomIncidentParts() {}

    /** The memcg the kill was for: whose counters the kernel read, else the constraining one, else the victim's. */
    static long killedForMemcgId(OomKill kill) {
        return kill.memcgStat().map(MemcgStat::memcgId)
                .or(() -> kill.constrainingMemcg().map(MemcgState::id))
                .or(() -> kill.victimMemcg().map(MemcgState::id))
                .orElse(0L);
    }

    /** Empty without a history (replays, the sampler off) or without the kernel's counters at the kill. */
    static Optional<OomIncident> incident(EnrichedOomKill enriched) {
        OomKill kill = enriched.kill();
        return enriched.memcgHistory().flatMap(history -> kill.memcgStat().flatMap(stat ->
                Stream.of(kill.constrainingMemcg(), kill.victimMemcg())
                        .flatMap(Optional::stream)
                        .filter(memcg -> memcg.id() == stat.memcgId() && memcg.limit().isPresent())
                        .findFirst()
                        .map(memcg -> OomIncidents.analyze(history, atKill(kill, memcg, stat)))));
    }

    private static MemcgSample atKill(OomKill kill, MemcgState memcg, MemcgStat stat) {
        return new MemcgSample(kill.bootTimeNanos(), memcg.usageBytes(), memcg.limitBytes(),
                stat.get(MemcgStatItem.ANON), stat.get(MemcgStatItem.FILE), stat.get(MemcgStatItem.SHMEM),
                stat.get(MemcgStatItem.INACTIVE_FILE), stat.get(MemcgStatItem.KERNEL), memcg.failcnt());
    }

    static void putAttributes(AttributesBuilder attributes, OomIncident incident, long killBootNanos) {
        attributes.put(VERDICT, incident.verdict());
        incident.fastestGrowing().ifPresent(growth -> attributes
                .put(FASTEST_GROWING, growth.component().name().toLowerCase(Locale.ROOT))
                .put(FASTEST_GROWING_BYTES, growth.bytes()));
        List<MemcgSample> shown = incident.history()
                .subList(Math.max(0, incident.history().size() - MAX_HISTORY_POINTS), incident.history().size());
        List<Long> usage = new ArrayList<>(shown.size());
        List<Long> offsets = new ArrayList<>(shown.size());
        for (MemcgSample sample : shown) {
            usage.add(sample.usageBytes());
            offsets.add((sample.bootTimeNanos() - killBootNanos) / 1_000_000);
        }
        attributes.put(HISTORY_USAGE_BYTES, usage);
        attributes.put(HISTORY_OFFSET_MS, offsets);
    }

    static List<EventData> events(OomIncident incident, SpanFactory spans) {
        List<EventData> events = new ArrayList<>();
        incident.firstLimitHitNanos().ifPresent(at -> events.add(EventData.create(spans.epochNanos(at),
                LIMIT_FIRST_HIT, Attributes.empty())));
        incident.crossings().forEach(crossing -> events.add(EventData.create(spans.epochNanos(crossing.bootTimeNanos()),
                USAGE_CROSSED, Attributes.of(THRESHOLD_PERCENT, (long) crossing.percent()))));
        events.sort((a, b) -> Long.compare(a.getEpochNanos(), b.getEpochNanos()));
        return events;
    }
}
