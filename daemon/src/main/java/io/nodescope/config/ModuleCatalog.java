package io.nodescope.config;

import java.util.List;

/**
 * The probe modules this build has, as the configuration sees them: their names (what --probes
 * takes) and the settings they declare.
 */
public record ModuleCatalog(List<String> modules, List<SettingSpec> settings) {
    public ModuleCatalog {
        modules = List.copyOf(modules);
        settings = List.copyOf(settings);
    }
}
