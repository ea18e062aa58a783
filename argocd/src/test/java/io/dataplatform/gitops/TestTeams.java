package io.dataplatform.gitops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestTeams {
    private static final List<String> GOOD = List.of("network-planning", "--description", "Radio network planning",
            "--owner", "alice@operator.example", "--cpu", "20", "--memory", "64Gi", "--storage", "500Gi",
            "--dag-repository", "https://git.operator.example/network-planning/dags.git");
    /** Every repository is reachable (the real check: git ls-remote, below). */
    private static final GitRepositoryCheck REACHABLE = (repository, branch) -> java.util.Optional.empty();

    @TempDir
    Path tree;
    Path teams;

    /** A copy of this module's Argo CD tree with an empty teams directory: the report is read from the tree. */
    @BeforeEach
    void copyOfTheTree() throws IOException {
        teams = copyOfTheTree(tree);
    }

    /** The tree's directories under {@code argocd} and an empty teams directory, which is returned. */
    private static Path copyOfTheTree(Path argocd) throws IOException {
        for (String directory : List.of("environments", "apps", "components")) {
            Path source = Path.of(directory);
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Path target = argocd.resolve(file.toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target);
                }
            }
        }
        return Files.createDirectories(argocd.resolve("teams"));
    }

    @Test
    void onboardingAddsTheTeamsGroupToTheDevelopmentRealm() throws Exception {
        Path repository = tree.resolve("repository");
        Path realm = repository.resolve(DevelopmentRealm.FILE);
        Files.createDirectories(realm.getParent());
        Files.copy(Path.of("..").resolve(DevelopmentRealm.FILE), realm);
        Path repositoryTeams = copyOfTheTree(repository.resolve("argocd"));

        List<String> dryRun = new ArrayList<>(GOOD);
        dryRun.add("--dry-run");
        assertThat(Teams.onboard(repositoryTeams, dryRun, REACHABLE)).contains("would add group team-network-planning to "
                + realm.toAbsolutePath() + " (the development realm; in production the corporate IdP's team creates it)");
        assertThat(DevelopmentRealm.hasGroup(realm, "network-planning")).isFalse();

        assertThat(Teams.onboard(repositoryTeams, GOOD, REACHABLE)).contains("added group team-network-planning to "
                + realm.toAbsolutePath() + " (the development realm; in production the corporate IdP's team creates it)");
        JsonNode groups = new ObjectMapper().readTree(realm.toFile()).path("groups");
        assertThat(groups.get(0).path("name").asText()).isEqualTo("team-data-engineering");
        assertThat(groups.get(1).path("name").asText()).isEqualTo("team-network-planning");
        // Only that group is new: the file is kept in the format the tool writes.
        assertThat(Files.readString(realm).replace("    {\n      \"name\": \"team-network-planning\"\n    },\n", ""))
                .isEqualTo(Files.readString(Path.of("..").resolve(DevelopmentRealm.FILE)));
    }

    @Test
    void onboardingWritesOneValuesFileAndSaysWhatSyncWillCreate() throws Exception {
        List<String> report = Teams.onboard(teams, GOOD, REACHABLE);

        Path file = teams.resolve("network-planning/values-network-planning.yaml");
        assertThat(report).first().isEqualTo("wrote " + file);
        assertThat(report).containsSubsequence(
                "  Application network-planning-foundation (project platform, namespace team-network-planning):",
                "    Namespace team-network-planning",
                "    AppProject network-planning (destination team-network-planning only)",
                "    ConfigMap hadoop-client",
                "    ConfigMap lakehouse",
                "    ConfigMap spark-defaults",
                "    LimitRange team-defaults",
                "    NetworkPolicy same-namespace-only",
                "    PodTemplate spark-executor",
                "    ResourceQuota team-quota: cpu 20, memory 64Gi, storage 500Gi, pods 200",
                "    RoleBinding spark-driver",
                "    ServiceAccount spark",
                "  Application network-planning-airflow (project network-planning, namespace team-network-planning):",
                "    ConfigMap airflow-config: DAGs from https://git.operator.example/network-planning/dags.git "
                        + "(branch main, dags/), tasks as etl-network-planning",
                "    ConfigMap airflow-pod-templates",
                "    Deployment airflow-api-server",
                "    Deployment airflow-dag-processor",
                "    Deployment airflow-scheduler",
                "    Deployment airflow-triggerer",
                "    PersistentVolumeClaim airflow-logs: 10Gi",
                "    PodTemplate airflow-task",
                "    Role airflow-executor",
                "    RoleBinding airflow-executor",
                "    Service airflow-api-server",
                "    ServiceAccount airflow");
        assertThat(Files.readString(file)).contains("""
                team: network-planning
                description: "Radio network planning"
                owners:
                  - alice@operator.example
                quota:
                  cpu: 20
                  memory: 64Gi
                  storage: 500Gi
                  pods: 200
                # The team's Airflow (argocd/apps/airflow): its DAGs from its git repository, its tasks' Kerberos
                # principal (keytab in Secret airflow-keytab), its log volume.
                airflow:
                  dags:
                    repository: https://git.operator.example/network-planning/dags.git
                    branch: main
                    path: dags
                  principal: etl-network-planning
                  logs:
                    storage: 10Gi
                """);
        try (var files = Files.walk(teams)) {
            assertThat(files.filter(Files::isRegularFile)).containsExactly(file);
        }
        assertThat(Teams.checkAll(teams)).isEmpty();
    }

    @Test
    void theReportFollowsTheTreeNotTheTool() throws Exception {
        // A new object in the team's foundation: the report says what Sync will now do.
        Path foundation = tree.resolve("apps/team/base");
        Files.writeString(foundation.resolve("limits.yaml"), """
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata:
                  name: spark-drivers
                spec:
                  maxUnavailable: 0
                """);
        Path kustomization = foundation.resolve("kustomization.yaml");
        Files.writeString(kustomization, Files.readString(kustomization).replace("  - project.yaml\n", "  - project.yaml\n  - limits.yaml\n"));

        List<String> report = Teams.onboard(teams, GOOD, REACHABLE);
        assertThat(report).contains("    PodDisruptionBudget spark-drivers",
                "  Application network-planning-airflow (project network-planning, namespace team-network-planning):");
    }

    @Test
    void badInputNamesTheFieldAndWritesNothing() throws Exception {
        assertProblem(replace(GOOD, 0, "Network_Planning"), "team: 'Network_Planning' is not a valid team name");
        assertProblem(replace(GOOD, 0, "argocd"), "team: 'argocd' is reserved");
        assertProblem(replace(GOOD, 6, "1000"), "quota.cpu: 1000 is out of range (1 to 256 cores)");
        assertProblem(replace(GOOD, 6, "lots"), "--cpu: 'lots' is not a whole number");
        assertProblem(replace(GOOD, 8, "64GB"), "quota.memory: '64GB' is not a quantity like 64Gi");
        assertProblem(replace(GOOD, 10, "200Ti"), "quota.storage: 200Ti is out of range (1Gi to 102400Gi)");
        assertProblem(replace(GOOD, 4, "alice"), "owners: 'alice' is not an e-mail address");
        assertProblem(replace(GOOD, 12, "ftp://git.example/dags"), "airflow.dags.repository: 'ftp://git.example/dags' "
                + "is not a git repository URL (https://, ssh://, git:// or git@host:path)");
        List<String> badAirflow = new ArrayList<>(GOOD);
        badAirflow.addAll(List.of("--dag-path", "../etc", "--principal", "ETL@REALM", "--log-storage", "600Gi"));
        assertProblem(badAirflow, "airflow.dags.path: '../etc' is not a directory of the repository");
        assertProblem(badAirflow, "airflow.principal: 'ETL@REALM' is not a Kerberos principal name");
        assertProblem(badAirflow, "airflow.logs.storage: 600Gi is more than quota.storage 500Gi");
        assertProblem(replace(GOOD, 6, "2"), "quota: the team's Airflow takes 4 cores and 7Gi (its components and one "
                + "running task pod): quota.cpu must be at least 4 and quota.memory at least 7Gi");
        List<String> unknown = new ArrayList<>(GOOD);
        unknown.addAll(List.of("--gpu", "2"));
        assertProblem(unknown, "--gpu: unknown field");
        assertProblem(GOOD.subList(0, 5), "--cpu: required");
        try (var files = Files.list(teams)) {
            assertThat(files).isEmpty();
        }

        Teams.onboard(teams, GOOD, REACHABLE);
        String written = Files.readString(teams.resolve("network-planning/values-network-planning.yaml"));
        assertProblem(replace(GOOD, 2, "Someone else"), "team: 'network-planning' already exists");
        assertThat(teams.resolve("network-planning/values-network-planning.yaml")).hasContent(written.strip());
    }

    @Test
    void anUnreachableDagRepositoryIsNamedAndNothingIsWritten() {
        // The real check: git ls-remote, against a port nothing listens on.
        List<String> unreachable = replace(GOOD, 12, "git://127.0.0.1:9/network-planning/dags.git");
        assertThatThrownBy(() -> Teams.onboard(teams, unreachable))
                .hasMessageContaining("airflow.dags.repository: cannot reach git://127.0.0.1:9/network-planning/dags.git: "
                        + "fatal: unable to connect to 127.0.0.1");
        assertThat(teams.resolve("network-planning")).doesNotExist();
        // A repository only the cluster reaches: the check is skipped on request.
        List<String> unchecked = new ArrayList<>(unreachable);
        unchecked.add("--no-repository-check");
        assertThat(Teams.onboard(teams, unchecked)).first().asString().startsWith("wrote ");
    }

    @Test
    void aDryRunWritesNothing() {
        List<String> dryRun = new ArrayList<>(GOOD);
        dryRun.add("--dry-run");
        assertThat(Teams.onboard(teams, dryRun, REACHABLE)).first().asString().startsWith("would write ");
        assertThat(teams.resolve("network-planning")).doesNotExist();
    }

    @Test
    void malformedTeamFilesAreNamedByFileAndField() throws Exception {
        Path directory = Files.createDirectories(teams.resolve("radio"));
        Path file = directory.resolve("values-radio.yaml");
        Files.writeString(file, """
                team: radio
                description: Radio
                owners: [bob@operator.example]
                quota: {cpu: twenty, memory: 8Gi, storage: 10Gi, pods: 10, gpus: 1}
                budget: 100
                """);
        assertThat(Teams.checkAll(teams)).containsExactlyInAnyOrder(
                file + ": budget: unknown field (expected " + TeamValues.FIELDS + ")",
                file + ": quota.gpus: unknown field (expected " + TeamValues.QUOTA_FIELDS + ")",
                file + ": quota.cpu: must be a whole number",
                file + ": quota.cpu: 0 is out of range (1 to 256 cores)",
                file + ": airflow: required (the team's DAG repository, its tasks' principal, its log volume)");

        Files.writeString(file, """
                team: radio
                description: Radio
                owners: [bob@operator.example]
                quota: {cpu: 8, memory: 16Gi, storage: 10Gi, pods: 10}
                airflow:
                  dags: {repository: 42, branch: main, path: dags, depth: 1}
                  principal: [etl]
                  logs: 10Gi
                  executor: CeleryExecutor
                """);
        assertThat(Teams.checkAll(teams)).containsExactlyInAnyOrder(
                file + ": airflow.executor: unknown field (expected [dags, logs, principal])",
                file + ": airflow.logs: must be a mapping",
                file + ": airflow.dags.depth: unknown field (expected [branch, path, repository])",
                file + ": airflow.dags.repository: must be a string, not number",
                file + ": airflow.principal: must be a string, not array",
                file + ": airflow.dags.repository: '' is not a git repository URL (https://, ssh://, git:// or git@host:path)",
                file + ": airflow.principal: '' is not a Kerberos principal name (lower-case, without the realm, "
                        + "e.g. etl-data-engineering)",
                file + ": airflow.logs.storage: 'null' is not a quantity like 64Gi (Mi, Gi or Ti)");

        Files.writeString(file, "team: [radio\n");
        assertThat(Teams.checkAll(teams)).singleElement().asString().startsWith(file + ": not valid YAML:");

        Files.writeString(file, "team: tv\ndescription: TV\nowners: [a@b.example]\n"
                + "quota: {cpu: 4, memory: 8Gi, storage: 10Gi, pods: 10}\n"
                + "airflow: {dags: {repository: 'git://git/tv.git', branch: main, path: dags}, principal: etl-tv, "
                + "logs: {storage: 1Gi}}\n");
        assertThat(Teams.checkAll(teams)).containsExactly(
                file + ": team: 'tv' must match its directory and file name (teams/<team>/values-<team>.yaml)");
    }

    @Test
    void theSchemaForEditorsSaysWhatTheCheckEnforces() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(Path.of("teams/schema.json").toFile());
        List<String> fields = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrderElementsOf(TeamValues.FIELDS);
        List<String> quota = new ArrayList<>();
        schema.path("properties").path("quota").path("properties").fieldNames().forEachRemaining(quota::add);
        assertThat(quota).containsExactlyInAnyOrderElementsOf(TeamValues.QUOTA_FIELDS);
        assertThat(schema.path("properties").path("team").path("pattern").asText())
                .isEqualTo("^" + TeamValues.NAME.pattern() + "$");
        List<String> reserved = new ArrayList<>();
        schema.path("properties").path("team").path("not").path("enum").forEach(name -> reserved.add(name.asText()));
        assertThat(reserved).containsExactlyInAnyOrderElementsOf(TeamValues.RESERVED);
        JsonNode quotaSchema = schema.path("properties").path("quota").path("properties");
        assertThat(quotaSchema.path("cpu").path("maximum").asInt()).isEqualTo(TeamValues.MAX_CPU);
        assertThat(quotaSchema.path("pods").path("maximum").asInt()).isEqualTo(TeamValues.MAX_PODS);
        assertThat(schema.path("properties").path("description").path("maxLength").asInt())
                .isEqualTo(TeamValues.MAX_DESCRIPTION);
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
        JsonNode airflow = schema.path("properties").path("airflow");
        List<String> airflowFields = new ArrayList<>();
        airflow.path("properties").fieldNames().forEachRemaining(airflowFields::add);
        assertThat(airflowFields).containsExactlyInAnyOrderElementsOf(AirflowValues.FIELDS);
        List<String> dags = new ArrayList<>();
        airflow.path("properties").path("dags").path("properties").fieldNames().forEachRemaining(dags::add);
        assertThat(dags).containsExactlyInAnyOrderElementsOf(AirflowValues.DAGS_FIELDS);
        JsonNode dagsSchema = airflow.path("properties").path("dags").path("properties");
        assertThat(dagsSchema.path("repository").path("pattern").asText())
                .isEqualTo("^(?:" + AirflowValues.REPOSITORY.pattern() + ")$");
        assertThat(dagsSchema.path("branch").path("pattern").asText()).isEqualTo("^" + AirflowValues.BRANCH.pattern() + "$");
        assertThat(dagsSchema.path("path").path("pattern").asText()).isEqualTo("^" + AirflowValues.PATH.pattern() + "$");
        assertThat(airflow.path("properties").path("principal").path("pattern").asText())
                .isEqualTo("^" + AirflowValues.PRINCIPAL.pattern() + "$");
    }

    private void assertProblem(List<String> arguments, String problem) {
        assertThatThrownBy(() -> Teams.onboard(teams, arguments, REACHABLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem);
    }

    private static List<String> replace(List<String> arguments, int index, String value) {
        List<String> copy = new ArrayList<>(arguments);
        copy.set(index, value);
        return copy;
    }
}
