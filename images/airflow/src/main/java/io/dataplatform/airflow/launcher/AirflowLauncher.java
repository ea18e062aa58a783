package io.dataplatform.airflow.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.dataplatform.hadoop.config.ClientConfiguration;
import io.dataplatform.hadoop.config.ConfigurationDirectory;
import io.dataplatform.hadoop.config.ConfigurationException;
import io.dataplatform.hadoop.config.PlatformDatabase;
import io.dataplatform.hadoop.config.Setting;
import io.dataplatform.hadoop.config.Variables;
import io.dataplatform.launcher.Launcher;
import io.dataplatform.launcher.StartProblems;

import static io.dataplatform.hadoop.config.Setting.required;
import static io.dataplatform.hadoop.config.Setting.secret;

/**
 * The Airflow image's entrypoint: the component a container runs (its role), Airflow's configuration completed from
 * the platform's variables, every problem named before Airflow starts; then Airflow runs as this process's child
 * (TERM stops it). Airflow reads the rest of its configuration from {@code AIRFLOW__SECTION__KEY} variables itself.
 *
 * <table>
 * <caption>Roles (the first argument, or AIRFLOW_ROLE)</caption>
 * <tr><td>api-server, scheduler, dag-processor, triggerer</td><td>that Airflow component</td></tr>
 * <tr><td>db-migrate</td><td>creates or upgrades the metadata database, then exits</td></tr>
 * <tr><td>db-check</td><td>waits until the metadata database is migrated (the other components' init container)</td></tr>
 * <tr><td>task</td><td>runs the command that follows (what the Kubernetes executor gives a task's pod)</td></tr>
 * <tr><td>cli</td><td>the {@code airflow} command with the arguments that follow, e.g. {@code cli dags list}</td></tr>
 * </table>
 * <table>
 * <caption>Settings</caption>
 * <tr><td>AIRFLOW_DATABASE_HOST, _NAME, _USER, _PASSWORD</td><td>the team's metadata database in the platform's
 * PostgreSQL (TLS required); not needed by {@code task}, nor when AIRFLOW__DATABASE__SQL_ALCHEMY_CONN is set</td></tr>
 * <tr><td>AIRFLOW_API_PORT</td><td>the api-server's port (8080)</td></tr>
 * <tr><td>AIRFLOW__PLATFORM_AUTH__ISSUER, _CLIENT_ID, _CLIENT_SECRET, _USER_GROUPS</td><td>the api-server's login
 * through the platform's identity provider, checked when AIRFLOW__CORE__AUTH_MANAGER is our provider's
 * ({@value #PLATFORM_AUTH_MANAGER})</td></tr>
 * <tr><td>AIRFLOW_TASK_IMAGE</td><td>the image of the Kubernetes executor's task pods ({@code repository:tag}), split
 * into Airflow's worker container repository and tag</td></tr>
 * <tr><td>KERBEROS_REALM, KERBEROS_KDC, HDFS_NAMENODE, …</td><td>the platform's client variables (hadoop-client): where
 * tasks run (scheduler, task), their Kerberos client file is rendered from them into {@code $AIRFLOW_HOME/client}
 * and named by KRB5_CONFIG, for Python's Kerberos (a Trino login as the team's principal)</td></tr>
 * </table>
 */
public final class AirflowLauncher {
    static final String AIRFLOW = "/usr/local/bin/airflow";
    static final String CONNECTION = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN";

    enum Role { API_SERVER, SCHEDULER, DAG_PROCESSOR, TRIGGERER, DB_MIGRATE, DB_CHECK, TASK, CLI }

    /** The Kubernetes executor's task image, as one reference (what Kubernetes manifests and pins carry). */
    static final String TASK_IMAGE = "AIRFLOW_TASK_IMAGE";
    private static final java.util.regex.Pattern IMAGE = java.util.regex.Pattern.compile(
            "((?:[a-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._/-][a-z0-9]+)*):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");

    static final PlatformDatabase DATABASE = new PlatformDatabase("AIRFLOW_DATABASE", "the team's metadata database",
            "airflow_data_engineering");
    static final Setting API_PORT = Setting.optional("AIRFLOW_API_PORT", "8080", "[1-9][0-9]{0,4}",
            "the api-server's port");

    /** Our provider's auth manager: users log in through the platform's identity provider, by their groups. */
    static final String PLATFORM_AUTH_MANAGER = "dataplatform_airflow.auth_manager.PlatformAuthManager";
    private static final String GROUP = "[A-Za-z0-9][A-Za-z0-9_.-]*";
    static final List<Setting> PLATFORM_AUTH = List.of(
            required("AIRFLOW__PLATFORM_AUTH__ISSUER", "https?://[^\\s/]+(/[^\\s]*)?",
                    "the identity provider's realm, e.g. https://sso.operator.example/realms/platform"),
            required("AIRFLOW__PLATFORM_AUTH__CLIENT_ID", "[A-Za-z0-9_.-]+", "the realm's client for Airflow"),
            secret("AIRFLOW__PLATFORM_AUTH__CLIENT_SECRET", "[^\\n]+", "that client's secret, from a Secret"),
            required("AIRFLOW__PLATFORM_AUTH__USER_GROUPS", GROUP + "(\\s*,\\s*" + GROUP + ")*",
                    "the groups whose members may use this Airflow, comma-separated, e.g. team-data-engineering"));

    /**
     * What to run: the command, its environment, and where to render the platform's client files first, if
     * anywhere.
     */
    record Plan(Role role, List<String> command, Map<String, String> environment, Optional<Path> clientFiles) {}

    private AirflowLauncher() {}

    public static void main(String[] args) throws Exception {
        java.util.Optional<Plan> planned = Launcher.planOrRefuse(() -> plan(args, System.getenv()),
                "platform launcher", "Airflow was not started", System.err);
        if (planned.isEmpty()) {
            System.exit(Launcher.REFUSED);
            return;
        }
        Plan plan = planned.get();
        if (plan.clientFiles().isPresent()) {
            List<String> report;
            try {
                report = ClientConfiguration.prepare(plan.environment(), ConfigurationDirectory.MOUNTED,
                        plan.clientFiles().get());
            }
            catch (ConfigurationException e) {
                System.exit(Launcher.refuse("platform launcher", e.problems(), "Airflow was not started", System.err));
                return;
            }
            report.forEach(line -> System.out.println("platform launcher: " + line));
        }
        System.out.println("platform launcher: airflow " + Launcher.label(plan.role()) + ": "
                + String.join(" ", plan.command()));
        System.exit(Launcher.runChild(plan.command(), plan.environment(), Duration.ofSeconds(60)));
    }

    /**
     * The command and environment for {@code args} (role first, unless AIRFLOW_ROLE names it) in {@code environment}.
     *
     * @throws IllegalArgumentException an unknown role
     * @throws StartProblems every missing or malformed setting
     */
    static Plan plan(String[] args, Map<String, String> environment) {
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        String fromEnvironment = environment.get("AIRFLOW_ROLE");
        Role role = Launcher.role(Role.class, fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment
                : arguments.isEmpty() ? "" : arguments.remove(0), "argument or AIRFLOW_ROLE");
        Map<String, String> prepared = new TreeMap<>(environment);
        prepared.putIfAbsent("AIRFLOW__CORE__LOAD_EXAMPLES", "False");
        prepared.putIfAbsent("AIRFLOW__CORE__EXECUTOR", "LocalExecutor");
        List<String> problems = new ArrayList<>();
        // The cli uses the team's database when its variables are there (e.g. `kubectl exec … cli dags list`).
        boolean needsDatabase = role != Role.TASK && (role != Role.CLI || !blank(environment.get("AIRFLOW_DATABASE_HOST")));
        if (needsDatabase && blank(environment.get(CONNECTION))) {
            String url = DATABASE.sqlAlchemyUrl(environment, problems);
            if (url != null) {
                prepared.put(CONNECTION, url);
            }
        }
        List<String> command = new ArrayList<>();
        switch (role) {
            case API_SERVER -> {
                if (PLATFORM_AUTH_MANAGER.equals(environment.getOrDefault("AIRFLOW__CORE__AUTH_MANAGER", "").strip())) {
                    problems.addAll(new Variables(environment).read(PLATFORM_AUTH).problems());
                }
                Variables port = new Variables(environment).read(List.of(API_PORT));
                problems.addAll(port.problems());
                command.addAll(List.of(AIRFLOW, "api-server", "--port", port.value(API_PORT.name()).orElse("8080")));
            }
            case SCHEDULER -> command.addAll(List.of(AIRFLOW, "scheduler"));
            case DAG_PROCESSOR -> command.addAll(List.of(AIRFLOW, "dag-processor"));
            case TRIGGERER -> command.addAll(List.of(AIRFLOW, "triggerer"));
            case DB_MIGRATE -> command.addAll(List.of(AIRFLOW, "db", "migrate"));
            case DB_CHECK -> command.addAll(List.of(AIRFLOW, "db", "check-migrations", "--migration-wait-timeout", "600"));
            case CLI -> command.add(AIRFLOW);
            case TASK -> {
                if (arguments.isEmpty()) {
                    problems.add("task needs the command to run (the Kubernetes executor's pod arguments)");
                }
            }
        }
        command.addAll(arguments);
        // Where tasks run, with the platform's client variables: their Kerberos client file (rendered before the start).
        Optional<Path> clientFiles = Optional.empty();
        if ((role == Role.SCHEDULER || role == Role.TASK) && environment.containsKey("HDFS_NAMENODE")) {
            Variables client = ClientConfiguration.variables(environment);
            client.problems().stream().distinct().forEach(problems::add);
            clientFiles = Optional.of(Path.of(prepared.getOrDefault("AIRFLOW_HOME", "/opt/airflow"), "client"));
            prepared.put("KRB5_CONFIG", clientFiles.get().resolve("krb5.conf").toString());
        }
        String taskImage = environment.get(TASK_IMAGE);
        if (!blank(taskImage)) {
            java.util.regex.Matcher image = IMAGE.matcher(taskImage.strip());
            if (image.matches()) {
                prepared.put("AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_REPOSITORY", image.group(1));
                prepared.put("AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG", image.group(2));
            }
            else {
                problems.add(TASK_IMAGE + "='" + taskImage + "' is not an image reference repository:tag (the Kubernetes "
                        + "executor's task image, e.g. platform/airflow-spark:3.3.2-spark4.1.1-1)");
            }
        }
        if (!problems.isEmpty()) {
            throw new StartProblems(problems);
        }
        return new Plan(role, List.copyOf(command), Map.copyOf(prepared), clientFiles);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
