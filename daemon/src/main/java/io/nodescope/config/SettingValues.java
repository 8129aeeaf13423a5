package io.nodescope.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The syntax of setting values shared by core and module settings; empty = not of that syntax. */
final class SettingValues {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

    private SettingValues() {}

    static Optional<Duration> duration(String value) {
        Matcher matcher = DURATION.matcher(value.trim());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        // Digits beyond a long, or minutes beyond Duration's seconds, are typos, not waits.
        try {
            long amount = Long.parseLong(matcher.group(1));
            return Optional.of(switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMinutes(amount);
            });
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    static Optional<Long> count(String value) {
        try {
            long count = Long.parseLong(value.trim());
            return count >= 0 ? Optional.of(count) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static boolean valid(SettingSpec.Kind kind, String value) {
        return switch (kind) {
            case DURATION -> duration(value).isPresent();
            case COUNT -> count(value).isPresent();
        };
    }
}
