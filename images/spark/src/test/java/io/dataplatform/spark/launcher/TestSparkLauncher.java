package io.dataplatform.spark.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.dataplatform.hadoop.config.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestSparkLauncher {
    @TempDir
    Path directory;

    private Map<String, String> driverEnvironment() throws IOException {
        Path keytab = Files.writeString(directory.resolve("etl.keytab"), "not a real keytab");
        Map<String, String> environment = new HashMap<>();
        environment.put("SPARK_MASTER_URL", "spark://spark-master:7077");
        environment.put("KERBEROS_PRINCIPAL", "etl@PLATFORM.TEST");
        environment.put("KERBEROS_KEYTAB", keytab.toString());
        environment.put("KERBEROS_REALM", "PLATFORM.TEST");
        environment.put("KERBEROS_KDC", "kdc:88");
        environment.put("HDFS_NAMENODE", "namenode:8020");
        environment.put("LAKEHOUSE_JDBC_URL", "jdbc:postgresql://postgres:5432/iceberg");
        environment.put("LAKEHOUSE_JDBC_USER", "iceberg");
        environment.put("LAKEHOUSE_JDBC_PASSWORD", "secret");
        environment.put("LAKEHOUSE_WAREHOUSE", "hdfs://namenode:8020/warehouse");
        environment.put("SPARK_EVENT_LOG_DIR", "hdfs://namenode:8020/spark-events");
        environment.put("SPARK_AUTHENTICATE_SECRET", "standalone-cluster-secret");
        return environment;
    }

    @Test
    void aDriverGetsPlatformDefaultsTheLakehouseItsAddressAndItsIdentity() throws IOException {
        Map<String, String> settings = SparkSettings.resolve(Role.SQL, driverEnvironment(), "172.31.213.20",
                directory.resolve("none"));

        assertThat(settings)
                .containsEntry("spark.driver.host", "172.31.213.20")
                .containsEntry("spark.driver.bindAddress", "172.31.213.20")
                .containsEntry("spark.master", "spark://spark-master:7077")
                // Standalone: the cluster's shared secret, RPC and local files encrypted.
                .containsEntry("spark.authenticate", "true")
                .containsEntry("spark.authenticate.secret", "standalone-cluster-secret")
                .containsEntry("spark.network.crypto.enabled", "true")
                .containsEntry("spark.io.encryption.enabled", "true")
                .containsEntry("spark.extraListeners",
                        "io.dataplatform.spark.ProgressListener,io.dataplatform.spark.LineageListener")
                .containsEntry("spark.plugins", "io.dataplatform.spark.HdfsTokensPlugin")
                .containsEntry("spark.executor.memoryOverheadFactor", "0.2")
                .containsEntry("spark.sql.defaultCatalog", "lakehouse")
                .containsEntry("spark.sql.catalog.lakehouse.uri", "jdbc:postgresql://postgres:5432/iceberg")
                .containsEntry("spark.sql.catalog.lakehouse.warehouse", "hdfs://namenode:8020/warehouse")
                .containsEntry("spark.kerberos.principal", "etl@PLATFORM.TEST")
                .containsEntry("spark.eventLog.enabled", "true")
                .containsEntry("spark.eventLog.dir", "hdfs://namenode:8020/spark-events")
                // Kubernetes executors render the same client files.
                .containsEntry("spark.executorEnv.HDFS_NAMENODE", "namenode:8020")
                .containsEntry("spark.executorEnv.KERBEROS_REALM", "PLATFORM.TEST");
    }

    @Test
    void aDriverPodOnKubernetesTakesTheTeamsSparkDefaultsAndTheDownwardApi() throws IOException {
        Map<String, String> environment = driverEnvironment();
        // envFrom: the team's spark-defaults ConfigMap (argocd/apps/team/base/spark.yaml).
        environment.put("SPARK_MASTER_URL", "k8s://https://kubernetes.default.svc");
        environment.put("SPARK_EXECUTOR_IMAGE", "registry.example/platform/spark:4.1.1-1@sha256:0123");
        environment.put("SPARK_KUBERNETES_SERVICE_ACCOUNT", "spark");
        environment.put("SPARK_EXECUTOR_REQUEST_CORES", "250m");
        environment.put("SPARK_SCRATCH_HOST_PATH", "/data/spark-scratch");
        // The downward API.
        environment.put("POD_NAMESPACE", "team-network");
        environment.put("POD_NAME", "airflow-task-7f9c");

        assertThat(SparkSettings.resolve(Role.SUBMIT, environment, "10.4.2.7", directory.resolve("none")))
                .containsEntry("spark.master", "k8s://https://kubernetes.default.svc")
                .containsEntry("spark.kubernetes.container.image",
                        "registry.example/platform/spark:4.1.1-1@sha256:0123")
                .containsEntry("spark.kubernetes.authenticate.executor.serviceAccountName", "spark")
                .containsEntry("spark.kubernetes.namespace", "team-network")
                .containsEntry("spark.kubernetes.driver.pod.name", "airflow-task-7f9c")
                .containsEntry("spark.driver.host", "10.4.2.7")
                // A quarter core per executor; their scratch on the node's disks; labelled for the supervisor.
                .containsEntry("spark.kubernetes.executor.request.cores", "250m")
                .containsEntry("spark.kubernetes.executor.volumes.hostPath.spark-local-dir-1.mount.path", "/data/spark-scratch")
                .containsEntry("spark.kubernetes.executor.volumes.hostPath.spark-local-dir-1.options.path", "/data/spark-scratch")
                .containsEntry("spark.kubernetes.executor.volumes.hostPath.spark-local-dir-1.options.type", "Directory")
                .containsEntry("spark.kubernetes.executor.label.platform.io/spark-driver-pod", "airflow-task-7f9c")
                // Only the application's own executors talk to the driver, encrypted.
                .containsEntry("spark.authenticate", "true")
                .containsEntry("spark.network.crypto.enabled", "true")
                .containsEntry("spark.network.crypto.saslFallback", "false")
                .containsEntry("spark.io.encryption.enabled", "true");
    }

    @Test
    void aPersonsDriverWithoutAKeytabTakesItsIdentityFromTheTicketCacheAndRenewsFromIt() throws IOException {
        Map<String, String> environment = driverEnvironment();
        environment.remove("KERBEROS_PRINCIPAL");
        environment.remove("KERBEROS_KEYTAB");
        environment.put("SPARK_MASTER_URL", "k8s://https://kubernetes.default.svc");
        environment.put("KRB5CCNAME", "/tmp/krb5cc_notebook");

        Map<String, String> settings = SparkSettings.resolve(Role.SUBMIT, environment, "10.4.2.8", directory.resolve("none"));
        assertThat(settings).containsEntry("spark.kerberos.renewal.credentials", "ccache")
                .doesNotContainKeys("spark.kerberos.principal", "spark.kerberos.keytab")
                // The catalog needs no identity of its own: HDFS is reached as the ticket's principal.
                .containsEntry("spark.sql.catalog.lakehouse.uri", "jdbc:postgresql://postgres:5432/iceberg");
        assertThat(SparkSettings.ticketCache(environment)).contains("/tmp/krb5cc_notebook");

        // Without a Kerberos client (no realm) a ticket cache means nothing; a keytab's principal wins over a cache.
        environment.remove("KERBEROS_REALM");
        assertThat(SparkSettings.ticketCache(environment)).isEmpty();
        Map<String, String> withKeytab = driverEnvironment();
        withKeytab.put("KRB5CCNAME", "/tmp/krb5cc_notebook");
        assertThat(SparkSettings.resolve(Role.SUBMIT, withKeytab, "10.4.2.8", directory.resolve("none")))
                .containsEntry("spark.kerberos.principal", "etl@PLATFORM.TEST")
                .doesNotContainKey("spark.kerberos.renewal.credentials");
    }

    @Test
    void daemonsGetNoDriverSettingsAndAMountedFileWins() throws IOException {
        Path mounted = Files.createDirectories(directory.resolve("mounted"));
        Files.writeString(mounted.resolve("spark-defaults.conf"), """
                spark.executor.memoryOverheadFactor  0.3
                spark.team.setting=yes
                """);
        Map<String, String> settings = SparkSettings.resolve(Role.WORKER, driverEnvironment(), "172.31.213.18",
                mounted);

        assertThat(settings).doesNotContainKeys("spark.driver.host", "spark.kerberos.principal", "spark.master")
                .containsEntry("spark.executor.memoryOverheadFactor", "0.3")
                .containsEntry("spark.team.setting", "yes")
                .containsEntry("spark.worker.cleanup.enabled", "true")
                .containsEntry("spark.authenticate", "true")
                .containsEntry("spark.authenticate.secret", "standalone-cluster-secret");
    }

    @Test
    void everyProblemIsNamedAndNothingIsWritten() throws IOException {
        Map<String, String> environment = driverEnvironment();
        environment.put("KERBEROS_KEYTAB", directory.resolve("missing.keytab").toString());
        environment.remove("LAKEHOUSE_WAREHOUSE");
        environment.remove("SPARK_AUTHENTICATE_SECRET");
        Path output = directory.resolve("conf");

        assertThatThrownBy(() -> SparkEntrypoint.prepareSparkConf(Role.SQL, environment, "10.0.0.1", output))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
                        "spark-lakehouse.conf: LAKEHOUSE_WAREHOUSE is not set (where new tables go, e.g. "
                                + "hdfs://namenode.example:8020/warehouse)",
                        "SPARK_AUTHENTICATE_SECRET is not set (the standalone cluster's shared secret: the same on its "
                                + "master, workers and drivers, from a Secret)",
                        "the keytab (KERBEROS_KEYTAB) " + directory.resolve("missing.keytab") + " does not exist"));
        assertThat(output).doesNotExist();
    }

    @Test
    void theWrittenSettingsHoldTheCatalogPasswordSoOnlyTheOwnerMayReadThem() throws IOException {
        Path output = directory.resolve("conf");
        SparkEntrypoint.prepareSparkConf(Role.SQL, driverEnvironment(), "172.31.213.20", output);

        Path defaults = output.resolve("spark-defaults.conf");
        assertThat(Files.readString(defaults)).contains("spark.sql.catalog.lakehouse.jdbc.password=secret");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(defaults)))
                .isEqualTo("rw-------");
    }

    @Test
    void theWrittenFileReadsBackAsTheSameSettings() throws IOException {
        Map<String, String> settings = Map.of("spark.a", "x=y:z #1", "spark.b", " leading space", "c d", "e\\f");
        assertThat(SparkSettings.properties(SparkSettings.render(settings)))
                .containsEntry("spark.a", "x=y:z #1").containsEntry("c d", "e\\f");
    }

    @Test
    void sqlSplitsSparkSubmitOptionsFromTheScripts() {
        assertThat(Commands.submit(Role.SQL, new String[] {"sql", "--conf", "spark.executor.cores=1", "-f",
                "/jobs/a.sql", "-e", "SELECT 1", "--max-rows", "5"}))
                .containsExactly("--conf", "spark.executor.cores=1", "--class", "io.dataplatform.spark.SqlJob",
                        "/opt/spark/platform/spark-plugins.jar", "-f", "/jobs/a.sql", "-e", "SELECT 1",
                        "--max-rows", "5");
        assertThatThrownBy(() -> Commands.submit(Role.SQL, new String[] {"sql", "--master", "local"}))
                .hasMessageStartingWith("sql needs a script or a statement");
        assertThatThrownBy(() -> Role.of("driver"))
                .hasMessage("unknown role 'driver' (the first argument): expected submit, sql, executor, master or worker");
    }

    @Test
    void theKubernetesExecutorContract() {
        Map<String, String> environment = new HashMap<>(Map.of(
                "SPARK_DRIVER_URL", "spark://CoarseGrainedScheduler@10.1.2.3:7078",
                "SPARK_EXECUTOR_ID", "4",
                "SPARK_EXECUTOR_CORES", "2",
                "SPARK_EXECUTOR_MEMORY", "4096m",
                "SPARK_APPLICATION_ID", "spark-application-1",
                "SPARK_EXECUTOR_POD_IP", "10.1.9.9",
                "SPARK_EXECUTOR_POD_NAME", "job-exec-4",
                "SPARK_JAVA_OPT_1", "-Dspark.driver.port=7078",
                "SPARK_JAVA_OPT_0", "-XX:+IgnoreUnrecognizedVMOptions",
                "SPARK_CONF_DIR", "/opt/spark/conf"));
        environment.put("SPARK_JAVA_OPT_10", "-Dlast=true");

        List<String> command = Commands.executor(environment, "/usr/lib/jvm/java-17");
        assertThat(command).containsExactly("/usr/lib/jvm/java-17/bin/java",
                "-XX:+IgnoreUnrecognizedVMOptions", "-Dspark.driver.port=7078", "-Dlast=true",
                "-Xms4096m", "-Xmx4096m",
                "-cp", "/opt/spark/conf:/opt/spark/platform/*:/opt/spark/jars/*",
                "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend",
                "--driver-url", "spark://CoarseGrainedScheduler@10.1.2.3:7078", "--executor-id", "4",
                "--cores", "2", "--app-id", "spark-application-1", "--hostname", "10.1.9.9",
                "--resourceProfileId", "0", "--podName", "job-exec-4");

        environment.remove("SPARK_DRIVER_URL");
        environment.remove("SPARK_EXECUTOR_MEMORY");
        assertThatThrownBy(() -> Commands.executor(environment, "/j"))
                .hasMessage("an executor is started by Spark's Kubernetes scheduler, which sets SPARK_DRIVER_URL, "
                        + "SPARK_EXECUTOR_MEMORY; they are not set");
    }
}
