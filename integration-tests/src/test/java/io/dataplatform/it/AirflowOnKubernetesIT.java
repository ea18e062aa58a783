package io.dataplatform.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplatform.gitops.AirflowValues;
import io.dataplatform.gitops.TeamValues;
import io.dataplatform.gitops.sync.Application;
import io.dataplatform.gitops.sync.Sync;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Teams' Airflow on the development cluster, from their values files and our images: the data-engineering team's
 * values now name its DAG repository (a git server this test starts in the cluster), and a second team, marketing,
 * is onboarded with one file; both synced the way Argo CD syncs them. Then a DAG with a Python task (beside the
 * scheduler) and a Spark task (a pod of the Spark task image, its driver a subprocess of the task) writes an Iceberg
 * table on the Kerberized HDFS, its Spark progress readable through the API while it runs; the table's asset event
 * starts the downstream DAG; killing a running Spark task (marked failed, or its pod deleted) leaves no driver and
 * no executor pod; an import error is reported with its file and line; neither team sees the other's DAGs,
 * connections or pods, and users log in to their team's Airflow only (through the platform realm, by their groups).
 * Figures are printed with the prefix [airflow].
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AirflowOnKubernetesIT {
    private static final String TEAM = "team-data-engineering";
    private static final String OTHER = "team-marketing";
    private static final String GIT = "git://git.git.svc.cluster.local/%s.git";
    private static final String EXECUTOR_LABEL = "platform.io/spark-driver-pod";

    @TempDir
    static Path temporary;

    private static DevelopmentPlatform platform;
    private static KubernetesClient client;
    private static AirflowApi airflow;
    private static AirflowApi marketing;
    private static String unreachableRepositoryLog;

    @BeforeAll
    static void deploy() throws Exception {
        platform = DevelopmentPlatform.shared();
        client = platform.client;
        platform.deploy();
        // The first deployment's DAG repository (the values file's, git.operator.example) cannot be reached here.
        unreachableRepositoryLog = awaitLog(TEAM, "dag-processor", "git.operator.example", Duration.ofMinutes(3));
        startGitServer();

        // What the teams commit: data-engineering's values now name its repository; marketing is onboarded.
        Path argocd = RepositoryCopy.argocdTree(temporary.resolve("repository/argocd"));
        Path values = argocd.resolve("teams/data-engineering/values-data-engineering.yaml");
        Files.writeString(values, Files.readString(values).replace(
                "https://git.operator.example/data-engineering/dags.git", GIT.formatted("data-engineering")));
        TeamValues team = new TeamValues("marketing", "Campaign reporting", List.of("marketing@operator.example"), 6,
                "12Gi", "20Gi", 30, new AirflowValues(GIT.formatted("marketing"), "main", "dags", "etl-marketing", "2Gi"));
        assertThat(team.validate()).isEmpty();
        Files.createDirectories(argocd.resolve("teams/marketing"));
        Files.writeString(argocd.resolve("teams/marketing/values-marketing.yaml"), team.toYaml());
        // With the team, the platform team creates its Secrets and its database (README: onboarding).
        platform.createTeamSecrets(OTHER);
        platform.addAirflowDatabase(OTHER);

        List<Application> applications = DevelopmentPlatform.render(temporary, argocd).stream()
                .filter(application -> List.of("data-engineering-airflow", "marketing-foundation", "marketing-airflow")
                        .contains(application.name()))
                .toList();
        assertThat(applications).hasSize(3);
        Instant started = Instant.now();
        List<Sync.Result> results = platform.sync().sync(applications, Duration.ofMinutes(8));
        System.out.printf("[airflow] data-engineering re-pointed and marketing onboarded: synced and healthy in %d s (%s)%n",
                Duration.between(started, Instant.now()).toSeconds(), results);
        // Users log in through the realm: alice is in team-data-engineering; marketing has no member in the
        // development realm, so its Airflow is driven by dave, of the platform's administrators.
        airflow = new AirflowApi(client, TEAM, "alice");
        marketing = new AirflowApi(client, OTHER, "dave");
    }

    @AfterAll
    static void close() throws Exception {
        if (airflow != null) {
            airflow.close();
        }
        if (marketing != null) {
            marketing.close();
        }
    }

    @Test
    @Order(1)
    void eachTeamsAirflowComesUpFromItsValuesFileWithItsDags() throws Exception {
        for (String namespace : List.of(TEAM, OTHER)) {
            List<Pod> pods = client.pods().inNamespace(namespace).withLabel("app.kubernetes.io/name", "airflow").list()
                    .getItems().stream().filter(pod -> !"task".equals(pod.getMetadata().getLabels()
                            .get("app.kubernetes.io/component"))).toList();
            assertThat(pods).extracting(pod -> pod.getMetadata().getLabels().get("app.kubernetes.io/component"))
                    .containsExactlyInAnyOrder("api-server", "scheduler", "dag-processor", "triggerer");
            assertThat(pods).allSatisfy(pod -> assertThat(pod.getSpec().getContainers().getFirst().getImage())
                    .isEqualTo(PlatformImage.of("airflow").reference()));
        }
        // The team's database, its repository, its executor: what the values file and the base say.
        // airflow-config's name carries a hash of its content (a change rolls the components): the scheduler's.
        String configName = client.apps().deployments().inNamespace(OTHER).withName("airflow-scheduler").get().getSpec()
                .getTemplate().getSpec().getContainers().getFirst().getEnvFrom().getFirst().getConfigMapRef().getName();
        assertThat(configName).startsWith("airflow-config-");
        Map<String, String> config = client.configMaps().inNamespace(OTHER).withName(configName).get().getData();
        assertThat(config).containsEntry("AIRFLOW_DATABASE_NAME", "airflow_marketing")
                .containsEntry("AIRFLOW__CORE__EXECUTOR", "LocalExecutor,KubernetesExecutor")
                .containsEntry("KERBEROS_PRINCIPAL", "etl-marketing");
        assertThat(config.get("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST")).contains(GIT.formatted("marketing"));
        assertThat(dagIds(airflow, List.of("lakehouse_load", "calls_report", "long_spark")))
                .contains("lakehouse_load", "calls_report", "long_spark").doesNotContain("campaign_report", "broken");
        assertThat(dagIds(marketing, List.of("campaign_report", "peek_at_data_engineering")))
                .containsExactlyInAnyOrder("campaign_report", "peek_at_data_engineering");
        // A fresh team's first run: from its scheduler's start to its first task running.
        marketing.patch("/api/v2/dags/campaign_report", Map.of("is_paused", false));
        String run = trigger(marketing, "campaign_report");
        JsonNode report = await("campaign_report's task", Duration.ofMinutes(3), () -> {
            JsonNode instance = taskInstance(marketing, "campaign_report", run, "report");
            return instance.path("state").asText().equals("success") ? instance : null;
        });
        Pod scheduler = client.pods().inNamespace(OTHER).withLabel("app.kubernetes.io/component", "scheduler").list()
                .getItems().getFirst();
        Instant schedulerStarted = Instant.parse(scheduler.getStatus().getContainerStatuses().getFirst().getState()
                .getRunning().getStartedAt());
        System.out.printf("[airflow] a new team's scheduler start → its first task running: %d ms%n",
                Duration.between(schedulerStarted, Instant.parse(normalise(report.path("start_date").asText()))).toMillis());
        assertThat(marketing.log("campaign_report", run, "report", 1)).contains("campaigns reported");
        // An unreachable repository was named by the dag-processor, and the rest of that Airflow kept running.
        assertThat(unreachableRepositoryLog).contains("https://git.operator.example/data-engineering/dags.git");
    }

    @Test
    @Order(2)
    void aSparkTaskWritesTheLakehouseStreamsItsProgressAndStartsTheDownstreamDag() throws Exception {
        airflow.patch("/api/v2/dags/calls_report", Map.of("is_paused", false));
        airflow.patch("/api/v2/dags/lakehouse_load", Map.of("is_paused", false));
        Instant triggered = Instant.now();
        String run = trigger(airflow, "lakehouse_load");

        // While the Spark task runs, its log already shows the driver's [spark] progress lines.
        String liveLog = null;
        Instant firstProgressSeen = null;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(8));
        JsonNode load;
        while (true) {
            load = taskInstance(airflow, "lakehouse_load", run, "load");
            String state = load.path("state").asText();
            if (state.equals("running") && liveLog == null) {
                String log = airflow.log("lakehouse_load", run, "load", load.path("try_number").asInt(1));
                if (log.contains("[spark] ")) {
                    liveLog = log;
                    firstProgressSeen = Instant.now();
                }
            }
            if (List.of("success", "failed", "upstream_failed").contains(state) || Instant.now().isAfter(deadline)) {
                break;
            }
            Thread.sleep(250);
        }
        String log = airflow.log("lakehouse_load", run, "load", load.path("try_number").asInt(1));
        assertThat(load.path("state").asText()).as(log).isEqualTo("success");
        assertThat(liveLog).as("the task log while the task ran: " + log).isNotNull();
        assertThat(log).contains("logged in to Kerberos as etl", "[lineage] ");

        JsonNode prepare = taskInstance(airflow, "lakehouse_load", run, "prepare");
        // The light task ran beside the scheduler, the Spark task in a pod of its own (since deleted).
        assertThat(prepare.path("hostname").asText()).startsWith("airflow-scheduler-");
        assertThat(load.path("hostname").asText()).doesNotStartWith("airflow-scheduler-");
        figure("task start (queued → running), local", prepare);
        figure("task start (queued → running), Kubernetes pod", load);
        System.out.printf("[airflow] trigger → first task running: %d ms%n", Duration.between(triggered,
                Instant.parse(normalise(prepare.path("start_date").asText()))).toMillis());
        System.out.printf("[airflow] Spark progress line in the task log through the API: %s%n",
                progressDelay(liveLog, firstProgressSeen));

        // The table's asset event, then the downstream DAG it schedules.
        JsonNode events = airflow.get("/api/v2/assets/events?source_dag_id=lakehouse_load");
        assertThat(events.path("asset_events").toString()).contains("lakehouse://lakehouse/data_engineering/airflow_calls")
                .contains("rowsWritten");
        JsonNode report = await("calls_report run after the write", Duration.ofMinutes(4), () -> {
            for (JsonNode each : airflow.get("/api/v2/dags/calls_report/dagRuns").path("dag_runs")) {
                if (each.path("state").asText().equals("success")) {
                    return each;
                }
            }
            return null;
        });
        assertThat(report.path("run_type").asText()).isEqualTo("asset_triggered");
        // Its second task counted the table in Trino, logged in with the team's keytab: Trino saw the team's principal.
        String reportRun = report.path("dag_run_id").asText();
        String countLog = airflow.log("calls_report", reportRun, "count_in_trino", 1);
        assertThat(countLog).contains("as etl (Kerberos, principal etl)").containsPattern("['\"]etl['\"], [1-9][0-9]*000");
        assertThat(taskInstance(airflow, "calls_report", reportRun, "count_in_trino").path("hostname").asText())
                .startsWith("airflow-scheduler-");
        assertThat(awaitNoPods("dag_id=lakehouse_load", Duration.ofMinutes(2))).isTrue();
        // The task's pod is gone; its log is not (the team's log volume).
        assertThat(airflow.log("lakehouse_load", run, "load", load.path("try_number").asInt(1)))
                .contains("[spark] ", "[lineage] ");
        ProbePods.Finished query = ProbePods.probe(client, TEAM, "trino-reads-airflow-calls",
                DevelopmentPlatform.trinoQuery("alice", "SELECT count(*) FROM lakehouse.data_engineering.airflow_calls"));
        assertThat(query.log().lines()).as(query.log()).anyMatch(line -> line.matches("trino\\.rows=\\[\\[[1-9][0-9]*000]]"));
    }

    @Test
    @Order(3)
    void markingARunningSparkTaskFailedLeavesNoDriverAndNoExecutor() throws Exception {
        airflow.patch("/api/v2/dags/long_spark", Map.of("is_paused", false));
        String run = trigger(airflow, "long_spark");
        Pod task = awaitRunningSpark(run);
        Instant marked = Instant.now();
        airflow.patch("/api/v2/dags/long_spark/dagRuns/%s/taskInstances/crunch".formatted(AirflowApi.encode(run)),
                Map.of("new_state", "failed"));
        Duration clean = awaitClean(task, marked);
        System.out.printf("[airflow] Spark task marked failed: driver pod and executor pods gone after %d ms%n",
                clean.toMillis());
        assertThat(taskInstance(airflow, "long_spark", run, "crunch").path("state").asText()).isEqualTo("failed");
    }

    @Test
    @Order(4)
    void deletingARunningSparkTasksPodLeavesNoExecutor() throws Exception {
        String run = trigger(airflow, "long_spark");
        Pod task = awaitRunningSpark(run);
        Instant deleted = Instant.now();
        client.pods().inNamespace(TEAM).withName(task.getMetadata().getName()).delete();
        Duration clean = awaitClean(task, deleted);
        System.out.printf("[airflow] Spark task's pod deleted: executor pods gone after %d ms%n", clean.toMillis());
        JsonNode failed = await("the task's failure", Duration.ofMinutes(3), () -> {
            JsonNode instance = taskInstance(airflow, "long_spark", run, "crunch");
            return List.of("failed", "up_for_retry").contains(instance.path("state").asText()) ? instance : null;
        });
        assertThat(failed.path("state").asText()).isEqualTo("failed");
    }

    @Test
    @Order(5)
    void anImportErrorIsReportedWithItsFileAndLine() throws Exception {
        JsonNode error = await("the import error of broken.py", Duration.ofMinutes(2), () -> {
            for (JsonNode each : airflow.get("/api/v2/importErrors").path("import_errors")) {
                if (each.path("filename").asText().endsWith("broken.py")) {
                    return each;
                }
            }
            return null;
        });
        assertThat(error.path("stack_trace").asText()).contains("broken.py\", line 7")
                .contains("ValueError: this DAG file is broken on purpose");
        assertThat(marketing.get("/api/v2/importErrors").path("total_entries").asInt()).isZero();
    }

    @Test
    @Order(6)
    void teamsSeeNeitherTheOthersDagsNorConnectionsNorPods() throws Exception {
        // Login: the realm vouches for alice, but marketing's Airflow is for team-marketing and the administrators.
        AirflowApi.Login alice = AirflowApi.logIn(client, OTHER, "alice");
        assertThat(alice.token()).as(alice.page()).isEmpty();
        assertThat(alice.status()).isEqualTo(403);
        assertThat(alice.page()).contains("alice may not use this Airflow: it is for the groups team-marketing, "
                + "platform-admins; alice&#x27;s groups: team-data-engineering");
        AirflowApi.Login bob = AirflowApi.logIn(client, TEAM, "bob");
        assertThat(bob.token()).as(bob.page()).isEmpty();
        assertThat(bob.page()).contains("bob may not use this Airflow", "bob&#x27;s groups: analysts, region-north");
        AirflowApi.Login wrong = AirflowApi.logIn(client, TEAM, "alice", "not-her-password");
        assertThat(wrong.token()).isEmpty();
        assertThat(wrong.page()).as("the realm's form again").contains("kc-form-login");
        AirflowApi.Login again = AirflowApi.logIn(client, TEAM, "alice");
        assertThat(again.token()).as(again.page()).isPresent();
        System.out.printf("[airflow] login through the realm (Airflow → Keycloak form → callback → token): %d ms%n",
                again.took().toMillis());
        // Each team's Airflow signs its own tokens: alice's is worth nothing at marketing's API.
        assertThat(marketing.getWithToken(again.token().get(), "/api/v2/dags"))
                .isEqualTo("403 {\"detail\":\"Invalid JWT token\"}");
        assertThat(airflow.getWithToken(again.token().get(), "/api/v2/dags")).startsWith("200 ").contains("calls_report");
        airflow.post("/api/v2/connections", Map.of("connection_id", "warehouse_db", "conn_type", "postgres",
                "host", "postgresql.platform.svc"));
        assertThat(airflow.get("/api/v2/connections").toString()).contains("warehouse_db");
        assertThat(marketing.get("/api/v2/connections").toString()).doesNotContain("warehouse_db");
        assertThat(marketing.get("/api/v2/dags").toString()).doesNotContain("lakehouse_load");
        // Trino: the other team's principal (its keytab, its connection) may not read this team's table.
        marketing.patch("/api/v2/dags/peek_at_data_engineering", Map.of("is_paused", false));
        String peek = trigger(marketing, "peek_at_data_engineering");
        JsonNode refused = await("peek_at_data_engineering's task to end", Duration.ofMinutes(3), () -> {
            JsonNode instance = taskInstance(marketing, "peek_at_data_engineering", peek, "peek");
            return List.of("success", "failed").contains(instance.path("state").asText()) ? instance : null;
        });
        String peekLog = marketing.log("peek_at_data_engineering", peek, "peek", 1);
        assertThat(refused.path("state").asText()).as(peekLog).isEqualTo("failed");
        // Refused by the platform at one of its two layers: Trino resolves the table as the user first, so HDFS (its
        // OPA authoriser) refuses etl-marketing the table's metadata file; Trino's own policies would refuse the read.
        assertThat(peekLog).contains("as etl-marketing (Kerberos")
                .containsAnyOf("Error accessing metadata file for table data_engineering.airflow_calls", "Access Denied");
        // Kubernetes: one team's Airflow and Spark identities may not touch the other's pods.
        for (String[] subject : List.of(new String[] {OTHER, "airflow", TEAM}, new String[] {OTHER, "spark", TEAM},
                new String[] {TEAM, "airflow", OTHER})) {
            for (String verb : List.of("list", "create", "delete")) {
                SubjectAccessReview review = client.authorization().v1().subjectAccessReview().create(
                        new SubjectAccessReviewBuilder().withNewSpec()
                                .withUser("system:serviceaccount:" + subject[0] + ":" + subject[1])
                                .withNewResourceAttributes().withNamespace(subject[2]).withVerb(verb).withResource("pods")
                                .endResourceAttributes().endSpec().build());
                assertThat(review.getStatus().getAllowed()).as("%s:%s %s pods in %s", subject[0], subject[1], verb,
                        subject[2]).isFalse();
            }
        }
        // And the network: the other team's api-server does not answer from this team's namespace.
        ProbePods.Finished reach = ProbePods.probe(client, OTHER, "reach-other-airflow",
                "connect:airflow-api-server." + TEAM + ".svc:8080", "connect:airflow-api-server." + OTHER + ".svc:8080");
        assertThat(reach.log().lines()).as(reach.log()).contains(
                "connect.airflow-api-server." + TEAM + ".svc:8080=timeout",
                "connect.airflow-api-server." + OTHER + ".svc:8080=open");
    }

    /** The git server of the teams' DAG repositories: a pod of the Spark task image (it has git) serving git://. */
    private static void startGitServer() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("git").endMetadata().build())
                .serverSideApply();
        Map<String, String> files = new LinkedHashMap<>();
        Path dags = Path.of(AirflowOnKubernetesIT.class.getResource("/airflow-dags").toURI());
        try (Stream<Path> paths = Files.walk(dags)) {
            for (Path file : paths.filter(Files::isRegularFile).sorted().toList()) {
                Path relative = dags.relativize(file);
                files.put(relative.getName(0) + "__" + relative.getFileName(), Files.readString(file));
            }
        }
        client.configMaps().inNamespace("git").resource(new ConfigMapBuilder().withNewMetadata().withName("dags")
                .endMetadata().withData(files).build()).serverSideApply();
        String script = """
                set -e
                for file in /dags/*__*; do
                  name=$(basename "$file"); team=${name%%__*}
                  mkdir -p /tmp/work/$team/dags
                  cat "$file" > /tmp/work/$team/dags/${name#*__}
                done
                mkdir -p /tmp/srv
                for work in /tmp/work/*; do
                  team=$(basename "$work")
                  git -C "$work" init -q -b main
                  git -C "$work" add -A
                  git -C "$work" -c user.name=test -c user.email=test@platform.test commit -q -m "DAGs of $team"
                  git clone -q --bare "$work" "/tmp/srv/$team.git"
                done
                exec git daemon --reuseaddr --export-all --base-path=/tmp/srv --port=9418 /tmp/srv
                """;
        client.pods().inNamespace("git").resource(new PodBuilder()
                .withNewMetadata().withName("git").addToLabels("app", "git").endMetadata()
                .withNewSpec()
                .withNewSecurityContext().withRunAsUser(1000L).withRunAsGroup(1000L).endSecurityContext()
                .addNewContainer().withName("git").withImage(PlatformImage.of("airflow-spark").reference())
                .withImagePullPolicy("Never").withCommand("/bin/sh", "-c", script)
                .addNewEnv().withName("HOME").withValue("/tmp").endEnv()
                .addNewPort().withContainerPort(9418).endPort()
                .withNewReadinessProbe().withNewTcpSocket().withPort(new IntOrString(9418)).endTcpSocket()
                .withPeriodSeconds(2).endReadinessProbe()
                .addNewVolumeMount().withName("dags").withMountPath("/dags").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("dags").withNewConfigMap().withName("dags").endConfigMap().endVolume()
                .endSpec().build()).serverSideApply();
        client.services().inNamespace("git").resource(new ServiceBuilder().withNewMetadata().withName("git")
                .endMetadata().withNewSpec().addToSelector("app", "git").addNewPort().withPort(9418)
                .withTargetPort(new IntOrString(9418)).endPort().endSpec().build()).serverSideApply();
        client.pods().inNamespace("git").withName("git").waitUntilReady(3, java.util.concurrent.TimeUnit.MINUTES);
    }

    private static List<String> dagIds(AirflowApi api, List<String> expected) throws Exception {
        return await("DAGs " + expected, Duration.ofMinutes(4), () -> {
            List<String> ids = new ArrayList<>();
            api.get("/api/v2/dags").path("dags").forEach(dag -> ids.add(dag.path("dag_id").asText()));
            return ids.containsAll(expected) ? ids : null;
        });
    }

    private static String trigger(AirflowApi api, String dag) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("logical_date", null);
        return api.post("/api/v2/dags/" + dag + "/dagRuns", body).path("dag_run_id").asText();
    }

    private static JsonNode taskInstance(AirflowApi api, String dag, String run, String task) throws Exception {
        return api.get("/api/v2/dags/%s/dagRuns/%s/taskInstances/%s".formatted(dag, AirflowApi.encode(run), task));
    }

    /** The long_spark run's task pod once its driver has an executor pod running. */
    private static Pod awaitRunningSpark(String run) throws Exception {
        return await("long_spark's task pod with a running executor", Duration.ofMinutes(6), () -> {
            for (Pod pod : client.pods().inNamespace(TEAM).withLabel("dag_id", "long_spark").list().getItems()) {
                List<Pod> executors = executors(pod);
                if (!executors.isEmpty() && executors.stream().allMatch(executor -> "Running".equals(
                        executor.getStatus().getPhase()))) {
                    return pod;
                }
            }
            return null;
        });
    }

    private static List<Pod> executors(Pod driver) {
        return client.pods().inNamespace(TEAM).withLabel(EXECUTOR_LABEL, driver.getMetadata().getName()).list()
                .getItems();
    }

    /** Waits until the task pod and its executor pods are gone; returns the time since {@code since}. */
    private static Duration awaitClean(Pod task, Instant since) throws Exception {
        String name = task.getMetadata().getName();
        await("no pod left of " + name, Duration.ofMinutes(2), () -> {
            Pod pod = client.pods().inNamespace(TEAM).withName(name).get();
            boolean driverGone = pod == null || List.of("Succeeded", "Failed").contains(pod.getStatus().getPhase());
            return driverGone && executors(task).isEmpty() ? Boolean.TRUE : null;
        });
        return Duration.between(since, Instant.now());
    }

    private static boolean awaitNoPods(String label, Duration timeout) throws Exception {
        String[] pair = label.split("=");
        return await("no pod " + label, timeout,
                () -> client.pods().inNamespace(TEAM).withLabel(pair[0], pair[1]).list().getItems().isEmpty() ? Boolean.TRUE : null);
    }

    private static String awaitLog(String namespace, String component, String text, Duration timeout) throws Exception {
        return await(component + " log with " + text, timeout, () -> {
            for (Pod pod : client.pods().inNamespace(namespace).withLabel("app.kubernetes.io/component", component)
                    .list().getItems()) {
                String log = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).getLog();
                if (log != null && log.contains(text)) {
                    return log.lines().filter(line -> line.contains(text)).findFirst().orElseThrow();
                }
            }
            return null;
        });
    }

    private static void figure(String what, JsonNode instance) {
        Instant queued = Instant.parse(normalise(instance.path("queued_when").asText()));
        Instant started = Instant.parse(normalise(instance.path("start_date").asText()));
        System.out.printf("[airflow] %s: %d ms%n", what, Duration.between(queued, started).toMillis());
    }

    /** The delay between the first [spark] line's timestamp in the task log and the moment the API showed it. */
    private static String progressDelay(String log, Instant seen) {
        return log.lines().filter(line -> line.contains("[spark] ")).findFirst()
                .map(line -> line.substring(0, line.indexOf(' ')))
                .filter(stamp -> !stamp.isBlank())
                .map(stamp -> Duration.between(Instant.parse(normalise(stamp)), seen).toMillis() + " ms after the line was logged")
                .orElse("(no timestamp in the log)");
    }

    private static String normalise(String timestamp) {
        return java.time.OffsetDateTime.parse(timestamp).toInstant().toString();
    }

    private static <T> T await(String what, Duration timeout, Callable<T> probe) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                T value = probe.call();
                if (value != null) {
                    return value;
                }
            }
            catch (Exception e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out waiting for " + what + (last == null ? "" : ": " + last), last);
    }
}
