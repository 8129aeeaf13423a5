package io.nodescope.module.exit;

import io.nodescope.bpf.KernelProbe;
import io.nodescope.config.ModuleSettings;
import io.nodescope.config.SettingSpec;
import io.nodescope.decode.RecordFormat;
import io.nodescope.event.NodeEvent;
import io.nodescope.event.ProbeSource;
import io.nodescope.module.ModuleHandler;
import io.nodescope.module.ModuleServices;
import io.nodescope.module.ProbeModule;
import io.nodescope.record.EventCodec;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Process exits (bpf/exit.bpf.c): every death of a thread group by a signal and every OOM
 * victim's death, filtered in the kernel, on the module's own ring. It reports nothing itself:
 * its {@link ProcessExit} events go to every module (the OOM module pairs a kill with its victim's
 * death), counted per signal.
 */
public final class ProcessExitModule implements ProbeModule {
    public static final String NAME = "exit";
    static final KernelProbe.Ring RING = new KernelProbe.Ring("exit_events", 0);

    /** tp_btf needs no tracefs; the classic tracepoint does. */
    static final KernelProbe.AttachGroup EXITS = new KernelProbe.AttachGroup("process exits", true, List.of(
            KernelProbe.Attachment.of(ProbeSource.TP_BTF, "process_exit_btf"),
            KernelProbe.Attachment.of(ProbeSource.TRACEPOINT, "process_exit_tp")));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "process deaths by a signal and OOM victims' deaths (the exit-137 moment)";
    }

    @Override
    public List<SettingSpec> settings() {
        return List.of();
    }

    @Override
    public KernelProbe kernelProbe(ModuleSettings settings) {
        return new KernelProbe("exit.bpf.o", Map.of(), List.of(RING), List.of(EXITS));
    }

    @Override
    public List<RecordFormat> recordFormats() {
        return List.of(ProcessExitFormat.FORMAT);
    }

    @Override
    public List<EventCodec<?>> eventCodecs() {
        return List.of(new ProcessExitCodec());
    }

    @Override
    public ModuleHandler start(ModuleServices services) {
        ExitCounts counts = new ExitCounts(services.metrics());
        return new ModuleHandler() {
            @Override
            public void onEvent(NodeEvent event) {
                if (event instanceof ProcessExit exit) {
                    counts.count(exit);
                }
            }

            @Override
            public void finish(Duration timeout) {
            }
        };
    }
}
