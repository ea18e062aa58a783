package io.dataplatform.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The conventions of the platform's entrypoints: how a role is named, and how a refused start is reported. */
public final class Launcher {
    /** The exit status of a start refused for bad input. */
    public static final int REFUSED = 1;

    private Launcher() {}

    /**
     * The role {@code name} (any case) of {@code roles}, whose constants are the roles in upper case; {@code where}
     * says where the name came from (e.g. "argument or HADOOP_ROLE"), for the message.
     *
     * @throws IllegalArgumentException {@code unknown role 'x' (where): expected a, b or c}
     */
    public static <E extends Enum<E>> E role(Class<E> roles, String name, String where) {
        E[] values = roles.getEnumConstants();
        for (E value : values) {
            if (label(value).equalsIgnoreCase(name == null ? "" : name.strip())) {
                return value;
            }
        }
        List<String> names = Arrays.stream(values).map(Launcher::label).collect(Collectors.toList());
        String expected = names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        throw new IllegalArgumentException("unknown role '%s' (%s): expected %s".formatted(name == null ? "" : name,
                where, expected));
    }

    /** A role's name as users write it: lower case, words joined by '-' (API_SERVER: api-server). */
    public static String label(Enum<?> role) {
        return role.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Runs {@code command} as a child with this process's standard streams and {@code environment}; TERM to this
     * process stops the child (TERM, then KILL after {@code grace}). Returns the child's exit status.
     */
    public static int runChild(List<String> command, Map<String, String> environment, Duration grace)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process child = builder.start();
        Thread stop = new Thread(() -> {
            child.destroy();
            try {
                if (!child.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    child.destroyForcibly();
                }
            }
            catch (InterruptedException e) {
                child.destroyForcibly();
            }
        }, "stop-child");
        Runtime.getRuntime().addShutdownHook(stop);
        int status = child.waitFor();
        Runtime.getRuntime().removeShutdownHook(stop);
        return status;
    }

    /**
     * Reports a refused start on {@code err}: each problem as {@code <prefix>: <problem>}, then
     * {@code <prefix>: <outcome>} (e.g. "the namenode was not started"). Returns {@link #REFUSED}.
     */
    public static int refuse(String prefix, List<String> problems, String outcome, PrintStream err) {
        problems.forEach(problem -> err.println(prefix + ": " + problem));
        err.println(prefix + ": " + outcome);
        return REFUSED;
    }

    /**
     * The plan {@code planner} makes from the container's arguments and environment, or — when it throws
     * {@link IllegalArgumentException} (an unknown role) or {@link StartProblems} (missing or malformed settings) —
     * empty, after the refusal was reported on {@code err} ({@link #refuse}): a launcher's {@code main} then exits
     * with {@link #REFUSED}.
     */
    public static <P> java.util.Optional<P> planOrRefuse(java.util.function.Supplier<P> planner, String prefix,
            String outcome, PrintStream err) {
        try {
            return java.util.Optional.of(planner.get());
        }
        catch (IllegalArgumentException e) {
            refuse(prefix, List.of(e.getMessage()), outcome, err);
        }
        catch (StartProblems e) {
            refuse(prefix, e.problems(), outcome, err);
        }
        return java.util.Optional.empty();
    }
}
