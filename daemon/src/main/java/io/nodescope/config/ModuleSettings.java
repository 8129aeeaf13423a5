package io.nodescope.config;

import java.time.Duration;
import java.util.Map;

/**
 * The module settings' values, checked against their {@link SettingSpec} when the configuration
 * was loaded, defaults filled in. A module reads only its own.
 */
public final class ModuleSettings {
    private final Map<String, String> values;

    ModuleSettings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** Only the defaults of these specs (tests, and modules' documentation). */
    public static ModuleSettings defaults(Iterable<SettingSpec> specs) {
        Map<String, String> values = new java.util.HashMap<>();
        specs.forEach(spec -> values.put(spec.name(), spec.defaultValue()));
        return new ModuleSettings(values);
    }

    public Duration duration(String name) {
        return SettingValues.duration(value(name)).orElseThrow();
    }

    public long count(String name) {
        return SettingValues.count(value(name)).orElseThrow();
    }

    private String value(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no module setting " + name + " was declared");
        }
        return value;
    }
}
