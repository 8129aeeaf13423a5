package io.nodescope.daemon;

import io.nodescope.event.NodeEvent;
import io.nodescope.event.OomKill;
import io.nodescope.event.ProcessExit;
import io.nodescope.record.EventRecorder;
import io.nodescope.span.OomKillAssembler;
import io.nodescope.span.PendingOomKill;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Decoded event -> (recording) -> what must be read while the processes live (stacks' mappings,
 * cgroup paths) -> pairing kills with deaths. Runs on the thread that drains the rings, so every
 * step must be quick and non-blocking; symbolizing and exporting happen behind queues.
 */
final class EventPipeline implements Consumer<NodeEvent> {
    private final Optional<EventRecorder> recorder;
    private final Function<OomKill, PendingOomKill> atArrival;
    private final OomKillAssembler oomKills;

    EventPipeline(Optional<EventRecorder> recorder, Function<OomKill, PendingOomKill> atArrival,
                  OomKillAssembler oomKills) {
        this.recorder = recorder;
        this.atArrival = atArrival;
        this.oomKills = oomKills;
    }

    @Override
    public void accept(NodeEvent event) {
        recorder.ifPresent(r -> r.record(event));
        switch (event) {
            case OomKill kill -> oomKills.onOomKill(atArrival.apply(kill));
            case ProcessExit exit -> oomKills.onProcessExit(exit);
        }
    }
}
