package io.nodescope.symbol;

import io.nodescope.event.OomKill;
import java.util.Optional;

/**
 * What an OOM kill's stacks need to be named later, taken when the event arrives: the triggering
 * process's mappings and open files (it may be the victim, dead milliseconds later). Closed by
 * {@link OomStackSymbolizer#symbolize}; a capture that is never symbolized must be closed.
 */
public final class CapturedStacks implements AutoCloseable {
    /** Nothing captured (a replay, or no user stack): frames keep their bare addresses. */
    public static final CapturedStacks NONE = new CapturedStacks(Optional.empty());

    private final Optional<ProcessSnapshot> trigger;

    CapturedStacks(Optional<ProcessSnapshot> trigger) {
        this.trigger = trigger;
    }

    Optional<ProcessSnapshot> trigger() {
        return trigger;
    }

    static CapturedStacks of(Symbolizer symbolizer, OomKill kill) {
        return kill.triggerUserStack().addresses().isEmpty() ? NONE
                : new CapturedStacks(Optional.of(symbolizer.snapshot(kill.trigger().tgid())));
    }

    @Override
    public void close() {
        trigger.ifPresent(ProcessSnapshot::close);
    }
}
