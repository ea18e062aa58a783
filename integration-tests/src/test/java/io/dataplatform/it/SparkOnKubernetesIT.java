package io.dataplatform.it;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spark on Kubernetes as the platform runs it: a client-mode driver pod in a team's namespace (service account
 * {@code spark}, the team's spark-defaults, the driver advertised by its pod IP from the downward API), executors as
 * pods of the pinned Spark image owned by the driver's pod, scratch on the node's hostPath; the lakehouse on the dev
 * site's Kerberized HDFS beside the cluster. What the driver writes, Trino in the cluster reads; a driver that goes
 * (its pod deleted, or its JVM killed) takes its executors with it.
 */
class SparkOnKubernetesIT {
    private static final String NAMESPACE = "team-data-engineering";
    private static final String EXECUTOR_LABEL = "platform.io/spark-driver-pod";

    private static DevelopmentPlatform platform;
    private static KubernetesClient client;

    @BeforeAll
    static void deploy() throws Exception {
        platform = DevelopmentPlatform.shared();
        client = platform.client;
        platform.deploy();
        platform.createTeamSecrets(NAMESPACE);
    }

    @Test
    void aClientModeDriverPodWritesTheLakehouseAndTrinoReadsIt() {
        String driver = "orders-load";
        client.pods().resource(driver(driver, 2, """
                CREATE NAMESPACE IF NOT EXISTS lakehouse.data_engineering;
                CREATE TABLE lakehouse.data_engineering.orders (id BIGINT, msisdn STRING) USING iceberg;
                INSERT INTO lakehouse.data_engineering.orders SELECT id, concat('3361234', id) FROM range(0, 1000) DISTRIBUTE BY id % 8
                """)).create();
        List<Pod> executors = awaitExecutors(driver, 2);
        Pod driverPod = client.pods().inNamespace(NAMESPACE).withName(driver).get();
        for (Pod executor : executors) {
            // Pods of the pinned image, owned by the driver's pod, reaching the driver by its pod IP.
            assertThat(executor.getSpec().getContainers().get(0).getImage()).isEqualTo(PlatformImage.of("spark").reference());
            assertThat(executor.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(driverPod.getMetadata().getUid()));
            assertThat(environment(executor)).hasEntrySatisfying("SPARK_DRIVER_URL",
                    url -> assertThat(url).contains("@" + driverPod.getStatus().getPodIP() + ":"));
            assertThat(executor.getSpec().getVolumes()).anySatisfy(volume ->
                    assertThat(volume.getHostPath()).isNotNull().satisfies(path -> assertThat(path.getPath()).isEqualTo("/data/spark-scratch")));
            assertThat(executor.getSpec().getContainers().get(0).getResources().getRequests())
                    .containsEntry("cpu", new Quantity("250m"));
        }
        Pod finished = awaitFinished(driver);
        String log = client.pods().inNamespace(NAMESPACE).withName(driver).getLog();
        assertThat(finished.getStatus().getPhase()).as(log).isEqualTo("Succeeded");
        assertThat(log).contains("logged in to Kerberos as etl");
        awaitNoExecutors(driver, Duration.ofSeconds(60));
        client.pods().inNamespace(NAMESPACE).withName(driver).delete();

        ProbePods.Finished query = ProbePods.probe(client, NAMESPACE, "trino-reads-orders",
                // alice of the development realm is in team-data-engineering, as the job's principal etl is.
                DevelopmentPlatform.trinoQuery("alice",
                        "SELECT count(*), count(DISTINCT msisdn) FROM lakehouse.data_engineering.orders"));
        assertThat(query.log().lines()).as(query.log()).contains("trino.rows=[[1000,1000]]");
    }

    @Test
    void deletingTheDriverPodRemovesItsExecutors() {
        String driver = "long-job-deleted";
        client.pods().resource(driver(driver, 2, "SELECT count(*) FROM range(0, 1000000000000)")).create();
        awaitExecutors(driver, 2);
        Instant deleted = Instant.now();
        client.pods().inNamespace(NAMESPACE).withName(driver).delete();
        Duration gone = awaitNoExecutors(driver, Duration.ofSeconds(60));
        System.out.printf("[spark] driver pod deleted: its executor pods gone after %d ms%n", gone.toMillis());
        assertThat(Duration.between(deleted, Instant.now())).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void anExecutorWithoutTheApplicationsSecretIsRefused() {
        String driver = "long-job-guarded";
        client.pods().resource(driver(driver, 1, "SELECT count(*) FROM range(0, 1000000000000)")).create();
        Pod executor = awaitExecutors(driver, 1).getFirst();
        // A pod that knows everything an executor knows (the driver's URL, the application) but not the secret Spark
        // generated for this application, and does not authenticate: what a neighbour in the namespace could try.
        List<EnvVar> environment = executor.getSpec().getContainers().getFirst().getEnv().stream()
                .filter(variable -> !variable.getName().equals("_SPARK_AUTH_SECRET"))
                .filter(variable -> variable.getValue() == null
                        || !variable.getValue().matches("-Dspark\\.(authenticate|network\\.crypto)[^ ]*"))
                .toList();
        assertThat(environment).extracting(EnvVar::getName).contains("SPARK_DRIVER_URL");
        assertThat(executor.getSpec().getContainers().getFirst().getEnv()).extracting(EnvVar::getName)
                .contains("_SPARK_AUTH_SECRET");
        Pod rogue = new PodBuilder()
                .withNewMetadata().withName("rogue-executor").withNamespace(NAMESPACE).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("executor").withImage(PlatformImage.of("spark").reference()).withImagePullPolicy("Never")
                .withArgs("executor")
                .withEnv(environment)
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("768Mi"))
                .addToLimits("memory", new Quantity("1Gi"))
                .endResources()
                .endContainer()
                .endSpec()
                .build();
        ProbePods.Finished refused = ProbePods.run(client, rogue);
        try {
            assertThat(refused.succeeded()).as(refused.log()).isFalse();
            assertThat(refused.log()).doesNotContain("Successfully registered with driver");
            System.out.printf("[spark] executor without the secret: %s%n", refused.log().lines()
                    .filter(line -> line.contains("Exception") || line.contains("rror")).findFirst().orElse("(failed)"));
            // The driver still has its one executor, and only it.
            assertThat(client.pods().inNamespace(NAMESPACE).withLabel(EXECUTOR_LABEL, driver).list().getItems())
                    .hasSize(1);
        }
        finally {
            client.pods().inNamespace(NAMESPACE).withName(driver).delete();
            awaitNoExecutors(driver, Duration.ofSeconds(60));
        }
    }

    @Test
    void killingTheDriverJvmRemovesItsExecutors() throws Exception {
        String driver = "long-job-killed";
        client.pods().resource(driver(driver, 2, "SELECT count(*) FROM range(0, 1000000000000)")).create();
        awaitExecutors(driver, 2);
        // SIGKILL: no shutdown hook of Spark's runs; the supervisor (the pod's first process) cleans up.
        var kill = new java.io.ByteArrayOutputStream();
        try (var exec = client.pods().inNamespace(NAMESPACE).withName(driver).writingOutput(kill).writingError(kill)
                .exec("sh", "-c", "kill -9 $(cat /tmp/spark-driver.pid)")) {
            exec.exitCode().get(30, TimeUnit.SECONDS);
        }
        Duration gone = awaitNoExecutors(driver, Duration.ofSeconds(60));
        System.out.printf("[spark] driver JVM killed: its executor pods gone after %d ms%n", gone.toMillis());
        Pod finished = awaitFinished(driver);
        assertThat(finished.getStatus().getPhase()).isEqualTo("Failed");
        client.pods().inNamespace(NAMESPACE).withName(driver).delete();
    }

    @Test
    void twoDriversRunSideBySide() {
        List<String> drivers = List.of("daily-a", "daily-b");
        for (String driver : drivers) {
            client.pods().resource(driver(driver, 1, """
                    CREATE NAMESPACE IF NOT EXISTS lakehouse.data_engineering_side;
                    SELECT count(*) FROM range(0, 2000000000);
                    CREATE TABLE lakehouse.data_engineering_side.%1$s USING iceberg AS SELECT id FROM range(0, %2$d)
                    """.formatted(driver.replace('-', '_'), drivers.indexOf(driver) + 10))).create();
        }
        // Both at once, each with its own executor (names from the application, addresses from the pods).
        List<String> executorNames = new ArrayList<>();
        for (String driver : drivers) {
            awaitExecutors(driver, 1).forEach(pod -> executorNames.add(pod.getMetadata().getName()));
        }
        assertThat(executorNames).doesNotHaveDuplicates().hasSize(2);
        for (String driver : drivers) {
            Pod finished = awaitFinished(driver);
            String log = client.pods().inNamespace(NAMESPACE).withName(driver).getLog();
            assertThat(finished.getStatus().getPhase()).as(log).isEqualTo("Succeeded");
        }
        ProbePods.Finished query = ProbePods.probe(client, NAMESPACE, "trino-reads-side",
                DevelopmentPlatform.trinoQuery("alice", "SELECT (SELECT count(*) FROM lakehouse.data_engineering_side.daily_a) * 100 + "
                        + "(SELECT count(*) FROM lakehouse.data_engineering_side.daily_b)"));
        assertThat(query.log().lines()).as(query.log()).contains("trino.rows=[[1011]]");
        for (String driver : drivers) {
            client.pods().inNamespace(NAMESPACE).withName(driver).delete();
        }
    }

    /** A client-mode driver pod as a team's Airflow task or notebook runs one: the team's settings, its identity. */
    private static Pod driver(String name, int executors, String sql) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).addToLabels("app.kubernetes.io/name", "spark-driver").endMetadata()
                .withNewSpec()
                .withServiceAccountName("spark")
                .withRestartPolicy("Never")
                .withNewSecurityContext().withFsGroup(1000L).endSecurityContext()
                .addNewContainer()
                .withName("driver").withImage(PlatformImage.of("spark").reference()).withImagePullPolicy("Never")
                .withArgs("sql", "--conf", "spark.executor.instances=" + executors, "--conf", "spark.executor.memory=512m",
                        "--conf", "spark.executor.cores=1", "--conf", "spark.sql.shuffle.partitions=4",
                        "--driver-memory", "512m", "-e", sql)
                .addNewEnvFrom().withNewConfigMapRef().withName("spark-defaults").endConfigMapRef().endEnvFrom()
                .addNewEnvFrom().withNewConfigMapRef().withName("hadoop-client").endConfigMapRef().endEnvFrom()
                .addNewEnvFrom().withNewConfigMapRef().withName("lakehouse").endConfigMapRef().endEnvFrom()
                .addNewEnvFrom().withNewSecretRef().withName("lakehouse-catalog").endSecretRef().endEnvFrom()
                .withEnv(downward("POD_IP", "status.podIP"), downward("POD_NAME", "metadata.name"),
                        downward("POD_NAMESPACE", "metadata.namespace"),
                        new EnvVar("KERBEROS_PRINCIPAL", "etl", null),
                        new EnvVar("KERBEROS_KEYTAB", "/etc/security/keytabs/etl.keytab", null))
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("1Gi"))
                .addToLimits("cpu", new Quantity("1")).addToLimits("memory", new Quantity("1536Mi"))
                .endResources()
                .addNewVolumeMount().withName("keytab").withMountPath("/etc/security/keytabs").withReadOnly(true).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("keytab").withNewSecret().withSecretName("etl-keytab").withDefaultMode(0400).endSecret().endVolume()
                .endSpec()
                .build();
    }

    private static EnvVar downward(String name, String field) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(field)
                .endFieldRef().endValueFrom().build();
    }

    private static Map<String, String> environment(Pod pod) {
        Map<String, String> environment = new java.util.HashMap<>();
        pod.getSpec().getContainers().get(0).getEnv().forEach(variable -> {
            if (variable.getValue() != null) {
                environment.put(variable.getName(), variable.getValue());
            }
        });
        return environment;
    }

    /** Waits until the driver's executors run; prints how long each pod took from creation to running. */
    private static List<Pod> awaitExecutors(String driver, int count) {
        var selector = client.pods().inNamespace(NAMESPACE).withLabel(EXECUTOR_LABEL, driver);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (Instant.now().isBefore(deadline)) {
            List<Pod> running = selector.list().getItems().stream()
                    .filter(pod -> "Running".equals(pod.getStatus().getPhase())).toList();
            if (running.size() >= count) {
                for (Pod pod : running) {
                    // The API server's times have whole seconds: creation of the pod to its container running.
                    Instant created = Instant.parse(pod.getMetadata().getCreationTimestamp());
                    Instant started = Instant.parse(pod.getStatus().getContainerStatuses().get(0).getState()
                            .getRunning().getStartedAt());
                    System.out.printf("[spark] executor pod %s: created → container running %d s%n",
                            pod.getMetadata().getName(), Duration.between(created, started).toSeconds());
                }
                return running;
            }
            Pod driverPod = client.pods().inNamespace(NAMESPACE).withName(driver).get();
            if (driverPod != null && List.of("Succeeded", "Failed").contains(driverPod.getStatus().getPhase())) {
                throw new AssertionError("the driver ended before its executors ran: "
                        + client.pods().inNamespace(NAMESPACE).withName(driver).getLog());
            }
            sleep();
        }
        throw new AssertionError("no " + count + " running executors of " + driver + ": "
                + client.pods().inNamespace(NAMESPACE).withName(driver).getLog());
    }

    private static Duration awaitNoExecutors(String driver, Duration timeout) {
        Instant started = Instant.now();
        var selector = client.pods().inNamespace(NAMESPACE).withLabel(EXECUTOR_LABEL, driver);
        while (!selector.list().getItems().isEmpty()) {
            assertThat(Duration.between(started, Instant.now())).as("executors of %s still there", driver).isLessThan(timeout);
            sleep();
        }
        return Duration.between(started, Instant.now());
    }

    private static Pod awaitFinished(String driver) {
        return client.pods().inNamespace(NAMESPACE).withName(driver).waitUntilCondition(pod -> pod != null
                && List.of("Succeeded", "Failed").contains(pod.getStatus().getPhase()), 6, TimeUnit.MINUTES);
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
