package io.dataplatform.hadoop.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One environment variable a configuration template reads: its name, its default ({@code null} when it must be
 * set), the shape a value must have, what it means (quoted in error messages), and whether it is a secret (a
 * password: its value never appears in a message).
 */
public record Setting(String name, String defaultValue, Pattern pattern, String meaning, boolean secret) {
    public Setting {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(pattern, "pattern is null");
        Objects.requireNonNull(meaning, "meaning is null");
    }

    public static Setting required(String name, String pattern, String meaning) {
        return new Setting(name, null, Pattern.compile(pattern), meaning, false);
    }

    /** A password or key: required, and never echoed. */
    public static Setting secret(String name, String pattern, String meaning) {
        return new Setting(name, null, Pattern.compile(pattern), meaning, true);
    }

    public static Setting optional(String name, String defaultValue, String pattern, String meaning) {
        return new Setting(name, Objects.requireNonNull(defaultValue, "defaultValue is null"), Pattern.compile(pattern),
                meaning, false);
    }
}
