package io.nodescope.daemon;

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
 * A probe module whose only program attaches to a tracepoint no kernel has
 * (bpf/test/missing_tracepoint.bpf.c): the kernel refuses it as it would refuse a real module on
 * a kernel without its tracepoint.
 */
final class UnattachableModule implements ProbeModule {
    static final String NAME = "missing";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "a tracepoint no kernel has";
    }

    @Override
    public List<SettingSpec> settings() {
        return List.of();
    }

    @Override
    public KernelProbe kernelProbe(ModuleSettings settings) {
        return new KernelProbe("missing_tracepoint.bpf.o", Map.of(),
                List.of(new KernelProbe.Ring("missing_events", 0)),
                List.of(new KernelProbe.AttachGroup("nothing", true,
                        List.of(KernelProbe.Attachment.of(ProbeSource.TP_BTF, "missing_tracepoint")))));
    }

    @Override
    public List<RecordFormat> recordFormats() {
        return List.of();
    }

    @Override
    public List<EventCodec<?>> eventCodecs() {
        return List.of();
    }

    @Override
    public ModuleHandler start(ModuleServices services) {
        return new ModuleHandler() {
            @Override
            public void onEvent(NodeEvent event) {
            }

            @Override
            public void finish(Duration timeout) {
            }
        };
    }
}
