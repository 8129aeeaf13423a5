package io.nodescope.daemon;

import io.nodescope.event.NodeEvent;
import io.nodescope.module.ModuleHandler;
import io.nodescope.record.EventRecorder;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Decoded event -> (recording) -> every started module's handler. Runs on the threads that drain
 * the rings (one per module), so every step must be quick and non-blocking; symbolizing and
 * exporting happen behind the modules' report workers.
 */
final class EventPipeline implements Consumer<NodeEvent> {
    private final Optional<EventRecorder> recorder;
    private final List<ModuleHandler> handlers;

    EventPipeline(Optional<EventRecorder> recorder, List<ModuleHandler> handlers) {
        this.recorder = recorder;
        this.handlers = List.copyOf(handlers);
    }

    @Override
    public void accept(NodeEvent event) {
        recorder.ifPresent(r -> r.record(event));
        for (ModuleHandler handler : handlers) {
            handler.onEvent(event);
        }
    }
}
