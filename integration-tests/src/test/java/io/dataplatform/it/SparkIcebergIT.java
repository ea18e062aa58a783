package io.dataplatform.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.images.builder.Transferable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spark and Trino sharing Iceberg tables: the Iceberg JDBC catalog in the platform's PostgreSQL, the warehouse on the
 * Kerberized HDFS, and both engines configured from the same LAKEHOUSE_* variables. A standalone master and two
 * workers from the Spark image; client-mode drivers in containers of the same image log in with a keytab.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkIcebergIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOB = """
            -- A day of calls for the network team: written by Spark, read by Trino.
            CREATE NAMESPACE IF NOT EXISTS lakehouse.telco;
            CREATE TABLE lakehouse.telco.calls (
                call_id bigint, msisdn string, cell_id int, started_at timestamp, seconds int,
                charged decimal(12,2), day date)
            USING iceberg PARTITIONED BY (day);
            INSERT INTO lakehouse.telco.calls
            SELECT id, concat('4479', lpad(CAST(id % 50000 AS string), 8, '0')), CAST(id % 997 AS int),
                   timestamp_seconds(1793491200 + id * 7), CAST(id % 3600 AS int),
                   CAST((id % 3600) * 0.015 AS decimal(12,2)), to_date(timestamp_seconds(1793491200 + id * 7))
            FROM range(0, 200000, 1, 8);
            CREATE TABLE lakehouse.telco.daily USING iceberg AS
            SELECT day, count(*) AS calls, sum(seconds) AS seconds, sum(charged) AS charged,
                   count(DISTINCT msisdn) AS subscribers
            FROM lakehouse.telco.calls GROUP BY day;
            SELECT day, calls, seconds, charged, subscribers FROM lakehouse.telco.daily ORDER BY day;
            SELECT count(*) AS calls, sum(seconds) AS seconds, sum(charged) AS charged, min(msisdn) AS first,
                   max(msisdn) AS last, sum(cell_id) AS cells
            FROM lakehouse.telco.calls;
            """;

    @TempDir
    static Path directory;

    private static LakehouseCluster cluster;
    private static List<SparkContainer> workers;
    private static String applicationId;

    @BeforeAll
    static void start() throws Exception {
        cluster = LakehouseCluster.start(directory, true);
        workers = cluster.workers;
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(10)
    void sparkWritesIcebergTablesOnKerberizedHdfsAndTrinoReadsTheSameRows() throws Exception {
        ContainerExit run;
        try (SparkContainer driver = cluster.driver("etl.keytab", "-f", "/jobs/calls.sql")
                .withCopyToContainer(Transferable.of(JOB.getBytes(StandardCharsets.UTF_8), 0644), "/jobs/calls.sql")) {
            run = ContainerExit.of(driver);
        }
        String logs = run.logs();
        System.out.println("SparkIcebergIT: the driver's log (what an Airflow task log shows):\n" + logs);
        assertThat(run.code()).as(logs).isZero();
        assertThat(logs).contains("spark: logged in to Kerberos as etl@PLATFORM.TEST");
        // Progress lines on stdout, as an Airflow task log shows them.
        assertThat(logs).containsPattern("(?m)^\\[spark] job \\d+ started: \\d+ stage\\(s\\), \\d+ task\\(s\\)")
                .containsPattern("(?m)^\\[spark] stage \\d+ finished in \\d+\\.\\d s: 8/8 tasks done")
                .containsPattern("(?m)^\\[spark] job \\d+ succeeded in \\d+\\.\\d s");

        // Trino reads exactly what Spark computed and printed.
        List<String> sparkDaily = rows(logs, "day\tcalls\tseconds\tcharged\tsubscribers");
        List<String> sparkTotals = rows(logs, "calls\tseconds\tcharged\tfirst\tlast\tcells");
        assertThat(sparkDaily).hasSize(17);
        cluster.trino.awaitQueries(0);
        try (Connection connection = cluster.trino.connect("analyst"); Statement statement = connection.createStatement()) {
            assertThat(query(statement, "SELECT day, calls, seconds, charged, subscribers "
                    + "FROM lakehouse.telco.daily ORDER BY day")).isEqualTo(sparkDaily);
            assertThat(query(statement, "SELECT count(*), sum(seconds), sum(charged), min(msisdn), max(msisdn), "
                    + "sum(cell_id) FROM lakehouse.telco.calls")).isEqualTo(sparkTotals)
                    .containsExactly("200000\t358300000\t5375000.00\t447900000000\t447900049999\t99480900");
            // Trino recomputes the daily table from the raw rows Spark wrote.
            assertThat(query(statement, "SELECT day, count(*), sum(seconds), sum(charged), count(DISTINCT msisdn) "
                    + "FROM lakehouse.telco.calls GROUP BY day ORDER BY day")).isEqualTo(sparkDaily);
        }

        // The lineage record of each statement names its tables.
        List<JsonNode> lineage = new ArrayList<>();
        for (String line : Files.readAllLines(cluster.output.resolve("lineage.jsonl"))) {
            lineage.add(JSON.readTree(line));
        }
        JsonNode insert = single(lineage, "[\"lakehouse.telco.calls\"]");
        assertThat(insert.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(insert.get("rowsWritten").asLong()).isEqualTo(200000);
        assertThat(insert.get("user").asText()).isEqualTo("etl");
        JsonNode daily = single(lineage, "[\"lakehouse.telco.daily\"]");
        assertThat(daily.get("inputs").toString()).isEqualTo("[\"lakehouse.telco.calls\"]");
        assertThat(daily.get("rowsRead").asLong()).isEqualTo(200000);
        assertThat(daily.get("rowsWritten").asLong()).isEqualTo(17);
        applicationId = insert.get("application").asText();

        // The executors ran on both workers, one each.
        for (SparkContainer worker : workers) {
            JsonNode finished = worker.status().get("finishedexecutors");
            assertThat(finished).as("executors finished on %s", worker.getNetworkAliases())
                    .anySatisfy(executor -> assertThat(executor.get("appid").asText()).isEqualTo(applicationId));
        }
        // The table's files are on HDFS, written as etl by executors holding the driver's delegation tokens.
        List<FileStatus> files = cluster.hdfs.files("/warehouse/telco/calls");
        assertThat(files).extracting(file -> file.getPath().getName())
                .anyMatch(name -> name.endsWith(".parquet"))
                .anyMatch(name -> name.endsWith(".metadata.json"));
        assertThat(files).allSatisfy(file -> assertThat(file.getOwner()).isEqualTo("etl"));
    }

    @Test
    @Order(20)
    void killingTheDriverReleasesItsExecutors() throws Exception {
        // A long query (minutes of CPU) whose executors must go when its driver dies.
        try (SparkContainer driver = cluster.driver("etl.keytab", "-e",
                "SELECT sum(id % 7) FROM range(0, 400000000000, 1, 4)").untilFirstStage()) {
            driver.start();
            String running = awaitApplication(driver);
            for (SparkContainer worker : workers) {
                awaitExecutors(worker, running, true);
            }
            Instant killed = Instant.now();
            driver.getDockerClient().killContainerCmd(driver.getContainerId()).exec();
            JsonNode status = cluster.master.status();
            while (status.get("activeapps").size() > 0 && Duration.between(killed, Instant.now()).toSeconds() < 60) {
                Thread.sleep(250);
                status = cluster.master.status();
            }
            assertThat(status.get("activeapps")).as("applications still active 60 s after the driver was killed")
                    .isEmpty();
            for (SparkContainer worker : workers) {
                awaitExecutors(worker, running, false);
            }
            System.out.printf("SparkIcebergIT: executors released %d ms after the driver was killed%n",
                    Duration.between(killed, Instant.now()).toMillis());
            assertThat(status.get("completedapps")).anySatisfy(app -> {
                assertThat(app.get("id").asText()).isEqualTo(running);
                assertThat(app.get("state").asText()).isIn("FINISHED", "KILLED");
            });
        }
    }

    @Test
    @Order(30)
    void aDriverWithoutItsKeytabStopsBeforeStartingAnything() throws Exception {
        int before = cluster.master.status().get("completedapps").size();
        ContainerExit run;
        try (SparkContainer driver = cluster.driver("nobody.keytab", "-e", "SELECT 1")) {
            run = ContainerExit.of(driver);
        }
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.logs()).contains(
                "spark: the keytab (KERBEROS_KEYTAB) " + LakehouseCluster.KEYTABS + "/nobody.keytab does not exist",
                "spark: the sql was not started");
        JsonNode status = cluster.master.status();
        assertThat(status.get("activeapps")).isEmpty();
        assertThat(status.get("completedapps")).hasSize(before);
    }

    @Test
    @Order(31)
    void aDriverWithoutTheClustersSecretIsRefusedByTheMaster() throws Exception {
        int before = cluster.master.status().get("completedapps").size();
        long registered = cluster.master.getLogs().lines().filter(line -> line.contains("Registering app")).count();
        ContainerExit run;
        // Everything a driver of the cluster has (its keytab included) but the cluster's secret.
        try (SparkContainer driver = cluster.driver("etl.keytab", "-e", "SELECT 1")
                .withEnv("SPARK_AUTHENTICATE_SECRET", "not-the-clusters-secret")) {
            run = ContainerExit.of(driver);
        }
        assertThat(run.code()).as(run.logs()).isNotZero();
        assertThat(run.logs()).doesNotContain("Connected to Spark cluster with app ID")
                .containsAnyOf("All masters are unresponsive", "Failed to connect to master");
        System.out.printf("[spark] driver without the cluster's secret: %s%n", run.logs().lines()
                .filter(line -> line.contains("unresponsive") || line.contains("Failed to connect")).findFirst()
                .orElse("(refused)"));
        // The master never took it for an application: its connection closed at the handshake, each attempt.
        assertThat(cluster.master.getLogs().lines().filter(line -> line.contains("Registering app")).count())
                .isEqualTo(registered);
        JsonNode status = cluster.master.status();
        assertThat(status.get("activeapps")).isEmpty();
        assertThat(status.get("completedapps")).hasSize(before);
    }

    /** The rows SparkSqlJob printed under {@code header}. */
    private static List<String> rows(String logs, String header) {
        List<String> lines = logs.lines().toList();
        int start = lines.indexOf(header);
        assertThat(start).as("the job printed a result headed %s", header).isNotNegative();
        List<String> rows = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("sql: ")) {
                break;
            }
            // The container log interleaves Spark's own log lines (stderr) with the job's output.
            if (line.contains("\t") && !line.startsWith("[")) {
                rows.add(line);
            }
        }
        return rows;
    }

    private static List<String> query(Statement statement, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                StringJoiner row = new StringJoiner("\t");
                for (int i = 1; i <= columns; i++) {
                    row.add(result.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    private static JsonNode single(List<JsonNode> records, String outputs) {
        List<JsonNode> matching = records.stream().filter(record -> record.get("outputs").toString().equals(outputs))
                .toList();
        assertThat(matching).as("lineage records writing %s in %s", outputs, records).hasSize(1);
        return matching.get(0);
    }

    private static String awaitApplication(SparkContainer driver) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            JsonNode active = cluster.master.status().get("activeapps");
            if (active.size() == 1) {
                return active.get(0).get("id").asText();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no running application at the master; driver log:\n" + driver.getLogs());
    }

    private static void awaitExecutors(SparkContainer worker, String application, boolean present) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(present ? 2 : 1));
        while (true) {
            boolean found = false;
            for (JsonNode executor : worker.status().get("executors")) {
                found |= executor.get("appid").asText().equals(application);
            }
            if (found == present) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("worker " + worker.getNetworkAliases() + (present ? " has no" : " still has an")
                        + " executor of " + application + ": " + worker.status());
            }
            Thread.sleep(250);
        }
    }
}
