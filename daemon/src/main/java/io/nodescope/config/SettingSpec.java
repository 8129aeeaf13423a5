package io.nodescope.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A setting a probe module declares. Its name starts with the module's name ("oom-exit-wait"), so
 * every module's settings follow one scheme: flag --NAME, variable NODESCOPE_NAME, file key NAME.
 *
 * @param defaultValue in the same syntax a user would write
 */
public record SettingSpec(String name, String help, Kind kind, String defaultValue) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)+");

    public SettingSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(defaultValue, "defaultValue");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("module setting '" + name + "' is not MODULE-words in lower case");
        }
    }

    /** How a value is written and checked. */
    public enum Kind {
        /** 500ms, 2s, 1m */
        DURATION("a duration like 500ms, 2s or 1m"),
        /** a whole number >= 0 */
        COUNT("a whole number >= 0");

        private final String expected;

        Kind(String expected) {
            this.expected = expected;
        }

        public String expected() {
            return expected;
        }
    }
}
