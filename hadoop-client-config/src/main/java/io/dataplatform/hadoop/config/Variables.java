package io.dataplatform.hadoop.config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Template variables read from the environment. A variable that is missing or malformed is kept as a problem, not
 * thrown at once: a template fails only if it uses it, so a fully mounted configuration needs no variables.
 */
public final class Variables {
    private final Map<String, String> environment;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> problems = new LinkedHashMap<>();

    public Variables(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** Reads each setting from the environment, applying its default and checking its shape. */
    public Variables read(Collection<Setting> settings) {
        for (Setting setting : settings) {
            String value = environment.get(setting.name());
            if (value == null || value.isBlank()) {
                if (setting.defaultValue() == null) {
                    problems.put(setting.name(), "%s is not set (%s)".formatted(setting.name(), setting.meaning()));
                    continue;
                }
                value = setting.defaultValue();
            }
            value = value.strip();
            if (!setting.pattern().matcher(value).matches()) {
                problems.put(setting.name(), "%s=%s is not valid (%s)".formatted(setting.name(), shown(setting, value),
                        setting.meaning()));
                continue;
            }
            values.put(setting.name(), value);
        }
        return this;
    }

    /**
     * How a rejected value appears in a message: a secret not at all (only its length), anything else quoted, with
     * credentials a URL may carry ({@code user:password@}, {@code password=...}) masked.
     */
    static String shown(Setting setting, String value) {
        if (setting.secret()) {
            return "<secret of %d characters, not shown>".formatted(value.length());
        }
        String masked = value.replaceAll("(?i)((?:password|passwd|pwd|secret|token)=)[^&;\\s]*", "$1***")
                .replaceAll("(//[^/:@\\s]+:)[^@/\\s]+@", "$1***@");
        return "'" + masked + "'";
    }

    /** A variable computed from another; it inherits the other's problem, if any. */
    public Variables derive(String name, String from, Function<String, String> function) {
        if (problems.containsKey(from)) {
            problems.put(name, problems.get(from));
        }
        else if (values.containsKey(from)) {
            values.put(name, function.apply(values.get(from)));
        }
        else {
            throw new IllegalArgumentException("no variable " + from + " to derive " + name + " from");
        }
        return this;
    }

    /** Every problem found so far, one message each, in the order the settings were read. */
    public java.util.List<String> problems() {
        return java.util.List.copyOf(problems.values());
    }

    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The value, or the reason there is none; {@code Optional.empty()} for a name no setting declared. */
    Optional<String> problem(String name) {
        return Optional.ofNullable(problems.get(name));
    }

    boolean declared(String name) {
        return values.containsKey(name) || problems.containsKey(name);
    }
}
