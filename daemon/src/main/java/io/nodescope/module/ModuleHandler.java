package io.nodescope.module;

import io.nodescope.event.NodeEvent;

import java.time.Duration;

/** A started module's event handling. */
public interface ModuleHandler {
    /**
     * Every decoded event of every enabled module, on the thread that drains that event's ring
     * (each module's ring has its own): only cheap arrival work here (what must be read while the
     * process lives), the rest on the module's {@link ReportWorker}. Ignores what it does not use.
     * Must be thread-safe: another module's ring thread may call it at the same time.
     */
    void onEvent(NodeEvent event);

    /** After the rings are drained at shutdown: reports what is pending and finishes within timeout. */
    void finish(Duration timeout);
}
