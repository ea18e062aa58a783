package io.dataplatform.launcher;

import java.util.List;

/**
 * What stops a container from starting, every problem at once (the message lists them, one per line); nothing was
 * written or started when it is thrown.
 */
public class StartProblems extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public StartProblems(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problem to report");
        }
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
