package io.nodescope.daemon;

import io.nodescope.event.NodeEvent;
import io.nodescope.event.OomKill;
import io.nodescope.event.ProcessExit;
import io.nodescope.proc.EnrichedOomKill;
import io.nodescope.record.EventRecorder;
import io.nodescope.span.OomKillAssembler;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Decoded event -> (recording) -> enrich -> span assembly. Runs on the thread that drains the
 * rings, so every step must be quick and non-blocking; exporting happens behind a queue.
 */
final class EventPipeline implements Consumer<NodeEvent> {
    private final Optional<EventRecorder> recorder;
    private final Function<OomKill, EnrichedOomKill> enricher;
    private final OomKillAssembler oomKills;

    EventPipeline(Optional<EventRecorder> recorder, Function<OomKill, EnrichedOomKill> enricher,
                  OomKillAssembler oomKills) {
        this.recorder = recorder;
        this.enricher = enricher;
        this.oomKills = oomKills;
    }

    @Override
    public void accept(NodeEvent event) {
        recorder.ifPresent(r -> r.record(event));
        switch (event) {
            case OomKill kill -> oomKills.onOomKill(enricher.apply(kill));
            case ProcessExit exit -> oomKills.onProcessExit(exit);
        }
    }
}
