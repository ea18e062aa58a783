package io.dataplatform.hadoop.config;

import java.util.List;

/** Configuration that cannot be rendered; the message lists every problem, one per line, and nothing was written. */
public class ConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigurationException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
