package io.dataplatform.gitops;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code airflow:} section of a team's values file: where the team's DAGs come from (its git repository, branch
 * and directory: Airflow's git DAG bundle), the Kerberos principal its tasks run as, and the size of its log volume.
 * What the team-airflow ApplicationSet patches into argocd/apps/airflow.
 */
public record AirflowValues(String repository, String branch, String path, String principal, String logStorage) {
    public static final Set<String> FIELDS = Set.of("dags", "principal", "logs");
    public static final Set<String> DAGS_FIELDS = Set.of("repository", "branch", "path");
    public static final Set<String> LOGS_FIELDS = Set.of("storage");
    public static final Pattern REPOSITORY = Pattern.compile("(https?|git|ssh)://[^\\s'\"\\\\]+|git@[^\\s'\"\\\\:]+:[^\\s'\"\\\\]+");
    public static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._/-]{0,99}");
    public static final Pattern PATH = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    public static final Pattern PRINCIPAL = Pattern.compile("[a-z][a-z0-9._-]{0,62}");
    public static final long MAX_LOG_STORAGE_GI = 1024;
    /** What the team's Airflow takes of its quota (limits): its four components and one running task pod. */
    public static final int CPU_CORES = 4;
    public static final long MEMORY_GI = 7;

    /** The defaults ci/onboard-team writes for what it is not given. */
    static AirflowValues defaults(String repository, String team) {
        return new AirflowValues(repository, "main", "dags", "etl-" + team, "10Gi");
    }

    /** Every problem of this section, each starting with its field (airflow.…). */
    List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (repository == null || !REPOSITORY.matcher(repository).matches()) {
            problems.add(("airflow.dags.repository: '%s' is not a git repository URL (https://, ssh://, git:// or "
                    + "git@host:path)").formatted(repository));
        }
        if (branch == null || !BRANCH.matcher(branch).matches() || branch.contains("..")) {
            problems.add("airflow.dags.branch: '%s' is not a branch name".formatted(branch));
        }
        if (path == null || !PATH.matcher(path).matches() || List.of(path.split("/")).contains("..")) {
            problems.add("airflow.dags.path: '%s' is not a directory of the repository (relative, e.g. dags)"
                    .formatted(path));
        }
        if (principal == null || !PRINCIPAL.matcher(principal).matches()) {
            problems.add("airflow.principal: '%s' is not a Kerberos principal name (lower-case, without the realm, "
                    .formatted(principal) + "e.g. etl-data-engineering)");
        }
        TeamValues.checkQuantity(problems, "airflow.logs.storage", logStorage, MAX_LOG_STORAGE_GI);
        return problems;
    }

    String toYaml() {
        return """
                # The team's Airflow (argocd/apps/airflow): its DAGs from its git repository, its tasks' Kerberos
                # principal (keytab in Secret airflow-keytab), its log volume.
                airflow:
                  dags:
                    repository: %s
                    branch: %s
                    path: %s
                  principal: %s
                  logs:
                    storage: %s
                """.formatted(repository, branch, path, principal, logStorage);
    }
}
