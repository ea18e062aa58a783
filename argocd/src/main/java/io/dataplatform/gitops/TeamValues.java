package io.dataplatform.gitops;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A team's values file ({@code argocd/teams/<team>/values-<team>.yaml}): who the team is, its quota, and its
 * Airflow ({@link AirflowValues}). {@link #validate} names every problem by field; argocd/teams/schema.json says the same for editors
 * (a test keeps the two in step).
 */
public record TeamValues(String team, String description, List<String> owners, int cpu, String memory,
        String storage, int pods, AirflowValues airflow) {
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,28}[a-z0-9]");
    public static final Set<String> RESERVED = Set.of("platform", "argocd", "default", "system", "admin");
    public static final Pattern OWNER = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
    public static final Pattern QUANTITY = Pattern.compile("([1-9][0-9]*)(Mi|Gi|Ti)");
    public static final int MAX_CPU = 256;
    public static final int MAX_PODS = 2000;
    public static final long MAX_MEMORY_GI = 2048;
    public static final long MAX_STORAGE_GI = 100 * 1024;
    public static final int MAX_DESCRIPTION = 200;
    public static final Set<String> FIELDS = Set.of("team", "description", "owners", "quota", "airflow");
    public static final Set<String> QUOTA_FIELDS = Set.of("cpu", "memory", "storage", "pods");

    public TeamValues {
        owners = List.copyOf(owners);
    }

    /** Every problem of these values, each starting with the field it is about; empty when valid. */
    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (team == null || !NAME.matcher(team).matches()) {
            problems.add("team: '%s' is not a valid team name (lower-case letters, digits and '-', 2 to 30 "
                    .formatted(team) + "characters, starting with a letter: the namespace is team-<name>)");
        }
        else if (RESERVED.contains(team)) {
            problems.add("team: '%s' is reserved".formatted(team));
        }
        if (description == null || description.isBlank() || description.length() > MAX_DESCRIPTION) {
            problems.add("description: must be 1 to %d characters".formatted(MAX_DESCRIPTION));
        }
        if (owners.isEmpty()) {
            problems.add("owners: at least one owner (an e-mail address)");
        }
        for (String owner : owners) {
            if (owner == null || !OWNER.matcher(owner).matches()) {
                problems.add("owners: '%s' is not an e-mail address".formatted(owner));
            }
        }
        if (cpu < 1 || cpu > MAX_CPU) {
            problems.add("quota.cpu: %d is out of range (1 to %d cores)".formatted(cpu, MAX_CPU));
        }
        checkQuantity(problems, "quota.memory", memory, MAX_MEMORY_GI);
        checkQuantity(problems, "quota.storage", storage, MAX_STORAGE_GI);
        if (pods < 1 || pods > MAX_PODS) {
            problems.add("quota.pods: %d is out of range (1 to %d)".formatted(pods, MAX_PODS));
        }
        if (airflow == null) {
            problems.add("airflow: required (the team's DAG repository, its tasks' principal, its log volume)");
        }
        else {
            problems.addAll(airflow.validate());
            long memoryGi = gibibytes(memory);
            if (cpu >= 1 && cpu < AirflowValues.CPU_CORES || memoryGi > 0 && memoryGi < AirflowValues.MEMORY_GI) {
                problems.add(("quota: the team's Airflow takes %d cores and %dGi (its components and one running "
                        + "task pod): quota.cpu must be at least %d and quota.memory at least %dGi").formatted(
                        AirflowValues.CPU_CORES, AirflowValues.MEMORY_GI, AirflowValues.CPU_CORES,
                        AirflowValues.MEMORY_GI));
            }
            long logsGi = gibibytes(airflow.logStorage());
            long storageGi = gibibytes(storage);
            if (logsGi > 0 && storageGi > 0 && logsGi > storageGi) {
                problems.add("airflow.logs.storage: %s is more than quota.storage %s".formatted(airflow.logStorage(),
                        storage));
            }
        }
        return problems;
    }

    /** The file's text: stable field order, so that a file is reviewable and re-writing it changes nothing. */
    public String toYaml() {
        StringBuilder yaml = new StringBuilder()
                .append("# Team ").append(team).append(": written by ci/onboard-team; schema argocd/teams/schema.json.\n")
                .append("# Argo CD's team ApplicationSets (argocd/environments/base/teams.yaml) read this file.\n")
                .append("team: ").append(team).append('\n')
                .append("description: ").append(quote(description)).append('\n')
                .append("owners:\n");
        owners.forEach(owner -> yaml.append("  - ").append(owner).append('\n'));
        yaml.append("quota:\n")
                .append("  cpu: ").append(cpu).append('\n')
                .append("  memory: ").append(memory).append('\n')
                .append("  storage: ").append(storage).append('\n')
                .append("  pods: ").append(pods).append('\n')
                .append(airflow.toYaml());
        return yaml.toString();
    }

    /** A quantity in whole Gi (rounded up), or 0 when it is not one. */
    static long gibibytes(String value) {
        Matcher matcher = value == null ? null : QUANTITY.matcher(value);
        if (matcher == null || !matcher.matches()) {
            return 0;
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "Mi" -> (amount + 1023) / 1024;
            case "Gi" -> amount;
            default -> amount * 1024;
        };
    }

    static void checkQuantity(List<String> problems, String field, String value, long maxGi) {
        Matcher matcher = value == null ? null : QUANTITY.matcher(value);
        if (matcher == null || !matcher.matches()) {
            problems.add("%s: '%s' is not a quantity like 64Gi (Mi, Gi or Ti)".formatted(field, value));
            return;
        }
        long amount = Long.parseLong(matcher.group(1));
        double gi = switch (matcher.group(2)) {
            case "Mi" -> amount / 1024.0;
            case "Gi" -> amount;
            default -> amount * 1024.0;
        };
        if (gi < 1 || gi > maxGi) {
            problems.add("%s: %s is out of range (1Gi to %dGi)".formatted(field, value, maxGi));
        }
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
