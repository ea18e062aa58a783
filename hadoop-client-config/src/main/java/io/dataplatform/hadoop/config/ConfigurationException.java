package io.dataplatform.hadoop.config;

import java.util.List;

import io.dataplatform.launcher.StartProblems;

/** Configuration that cannot be rendered; the message lists every problem, one per line, and nothing was written. */
public class ConfigurationException extends StartProblems {
    private static final long serialVersionUID = 1L;

    public ConfigurationException(List<String> problems) {
        super(problems);
    }
}
