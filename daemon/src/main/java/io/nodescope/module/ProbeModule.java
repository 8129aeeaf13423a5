package io.nodescope.module;

import io.nodescope.bpf.KernelProbe;
import io.nodescope.config.ModuleSettings;
import io.nodescope.config.SettingSpec;
import io.nodescope.decode.RecordFormat;
import io.nodescope.record.EventCodec;

import java.util.List;

/**
 * One event class, end to end: what it puts into the kernel, how its ring records decode, how its
 * events are recorded, and what it reports. The daemon wires every enabled module the same way
 * (io.nodescope.daemon.ProbeModules registers them); a module that cannot attach is reported and
 * the others keep running.
 */
public interface ProbeModule {
    /** Lower-case, one word: --probes takes it, metrics label with it, its settings start with it. */
    String name();

    /** What it traces, one line (logs, --help, docs). */
    String description();

    /** Its settings; each name starts with {@link #name()} and a dash. */
    List<SettingSpec> settings();

    /** Its BPF object, read-only globals from settings, rings and attach plan. */
    KernelProbe kernelProbe(ModuleSettings settings);

    /** Every record kind its object writes. */
    List<RecordFormat> recordFormats();

    /** A recording codec for every event type its formats decode. */
    List<EventCodec<?>> eventCodecs();

    /**
     * Starts its event handling. Called before any module attaches (live) or the first event is
     * replayed, so nothing arrives at a handler that does not exist yet.
     */
    ModuleHandler start(ModuleServices services);
}
