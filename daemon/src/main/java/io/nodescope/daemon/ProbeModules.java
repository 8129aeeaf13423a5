package io.nodescope.daemon;

import io.nodescope.config.ModuleCatalog;
import io.nodescope.config.SettingSpec;
import io.nodescope.decode.RecordFormat;
import io.nodescope.module.ProbeModule;
import io.nodescope.module.exit.ProcessExitModule;
import io.nodescope.module.oom.OomModule;
import io.nodescope.record.EventCodec;
import io.nodescope.record.EventCodecs;

import java.util.Collection;
import java.util.List;

/**
 * Every probe module of this build: registering a new one here is the only central change it
 * needs. The order is the order they attach and appear in logs.
 */
public final class ProbeModules {
    private ProbeModules() {}

    public static List<ProbeModule> all() {
        return List.of(new OomModule(), new ProcessExitModule());
    }

    /** Names and settings, for the configuration. */
    public static ModuleCatalog catalog(List<ProbeModule> modules) {
        return new ModuleCatalog(modules.stream().map(ProbeModule::name).toList(),
                modules.stream().flatMap(module -> module.settings().stream()).toList());
    }

    public static ModuleCatalog catalog() {
        return catalog(all());
    }

    /** Every module's codecs, enabled or not: a recording may hold events of any of them. */
    public static EventCodecs codecs(Collection<ProbeModule> modules) {
        return new EventCodecs(modules.stream().<EventCodec<?>>flatMap(module -> module.eventCodecs().stream())
                .toList());
    }

    public static List<RecordFormat> formats(Collection<ProbeModule> modules) {
        return modules.stream().flatMap(module -> module.recordFormats().stream()).toList();
    }

    static List<SettingSpec> settings(Collection<ProbeModule> modules) {
        return modules.stream().flatMap(module -> module.settings().stream()).toList();
    }
}
