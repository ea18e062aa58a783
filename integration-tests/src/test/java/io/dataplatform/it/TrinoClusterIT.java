package io.dataplatform.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trino.jdbc.TrinoResultSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import com.github.dockerjava.api.model.Bind;
import org.testcontainers.containers.Network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The platform's Trino image as a cluster: one coordinator and one worker on a Docker network, configured the way
 * the Kubernetes manifests mount it (catalogs, config.properties, group provider, audit listener), used through
 * trino-jdbc like DBeaver or Superset would.
 */
class TrinoClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUDIT_LOG = "/home/platform/trino/audit/audit.log";
    private static final String WAREHOUSE = "/data/warehouse";

    private static Network network;
    private static Path warehouse;
    private static TrinoContainer coordinator;
    private static TrinoContainer worker;

    @BeforeAll
    static void startCluster() throws Exception {
        PlatformImage image = PlatformImage.of("trino");
        network = Network.newNetwork();
        // A shared file system standing in for HDFS (its own issue): Iceberg files must be visible to both nodes.
        warehouse = Files.createTempDirectory("trino-warehouse");
        Files.setPosixFilePermissions(warehouse, PosixFilePermissions.fromString("rwxrwxrwx"));

        coordinator = withCatalogs(new TrinoContainer(image, "coordinator"))
                .withNetwork(network)
                .withNetworkAliases("coordinator")
                .withConfigFile("config.properties", """
                        node-scheduler.include-coordinator=true
                        event-listener.config-files=/etc/trino/audit-listener.properties
                        """)
                // Trino 476 reads etc/group-provider.properties; the image links etc to /etc/trino.
                .withGroups("""
                        # team: members
                        analysts: alice, bob
                        network-planning: alice
                        """)
                .withConfigFile("audit-listener.properties", """
                        event-listener.name=platform-audit
                        audit-log.path=%s
                        audit-log.redact-literals=true
                        """.formatted(AUDIT_LOG));
        coordinator.start();
        worker = withCatalogs(new TrinoContainer(image, "worker"))
                .withNetwork(network)
                .withDiscoveryUri("http://coordinator:" + TrinoContainer.HTTP_PORT);
        worker.start();
        coordinator.awaitQueries(1);
    }

    private static TrinoContainer withCatalogs(TrinoContainer container) {
        return container
                .withCatalog("tpch", "connector.name=tpch\n")
                .withCatalog("iceberg", """
                        connector.name=iceberg
                        iceberg.catalog.type=testing_file_metastore
                        hive.metastore.catalog.dir=local:///catalog
                        fs.native-local.enabled=true
                        local.location=%s
                        """.formatted(WAREHOUSE))
                // A plain bind: Testcontainers' withFileSystemBind first probes bind support with an alpine
                // container, which cannot be pulled here (no registry).
                .withCreateContainerCmdModifier(command -> command.getHostConfig()
                        .withBinds(Bind.parse(warehouse + ":" + WAREHOUSE)));
    }

    @AfterAll
    static void stopCluster() {
        if (worker != null) {
            worker.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void tpchQueryIsSplitOverBothNodes() throws Exception {
        // The scheduler's node map is refreshed every few seconds, so a worker that just joined may miss the first
        // query after it became active: allow a few queries, then insist that both nodes ran splits.
        Map<String, Long> splitsByNode = Map.of();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            splitsByNode = lineitemSplitsByNode();
            if (splitsByNode.containsKey(coordinator.nodeId()) && splitsByNode.containsKey(worker.nodeId())) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(splitsByNode).containsKeys(coordinator.nodeId(), worker.nodeId());
        assertThat(splitsByNode.get(worker.nodeId())).as("splits the worker ran").isPositive();
        assertThat(splitsByNode.get(coordinator.nodeId())).as("splits the coordinator ran").isPositive();
    }

    private static Map<String, Long> lineitemSplitsByNode() throws SQLException {
        try (Connection connection = coordinator.connect("analyst");
                Statement statement = connection.createStatement()) {
            String queryId;
            long total = 0;
            int groups = 0;
            try (ResultSet result = statement.executeQuery("""
                    SELECT returnflag, count(*) FROM tpch.tiny.lineitem GROUP BY returnflag ORDER BY returnflag
                    """)) {
                queryId = result.unwrap(TrinoResultSet.class).getQueryId();
                while (result.next()) {
                    total += result.getLong(2);
                    groups++;
                }
            }
            assertThat(total).isEqualTo(60175);
            assertThat(groups).isEqualTo(3);

            Map<String, Long> splitsByNode = new HashMap<>();
            try (ResultSet result = statement.executeQuery("""
                    SELECT node_id, sum(completed_splits) FROM system.runtime.tasks
                    WHERE query_id = '%s' GROUP BY node_id HAVING sum(completed_splits) > 0""".formatted(queryId))) {
                while (result.next()) {
                    splitsByNode.put(result.getString(1), result.getLong(2));
                }
            }
            return splitsByNode;
        }
    }

    @Test
    void telecomFunctionsAreInstalled() throws SQLException {
        try (Connection connection = coordinator.connect("analyst");
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("""
                        SELECT normalize_msisdn('06 12 34 56 78', '33'), msisdn_country('+352 621 123 456'),
                               mask_msisdn('+33612345678'), imsi_mcc('208011234567890'), imsi_mnc('208011234567890'),
                               is_valid_imei('490154203237518'), normalize_msisdn('garbage', '33')""")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getString(1)).isEqualTo("+33612345678");
            assertThat(result.getString(2)).isEqualTo("LU");
            assertThat(result.getString(3)).isEqualTo("+3361*****78");
            assertThat(result.getString(4)).isEqualTo("208");
            assertThat(result.getString(5)).isEqualTo("01");
            assertThat(result.getBoolean(6)).isTrue();
            assertThat(result.getString(7)).isNull();
        }
    }

    @Test
    void currentGroupsComeFromTheMountedGroupsFile() throws SQLException {
        assertThat(currentGroups("alice")).containsExactly("analysts", "network-planning");
        assertThat(currentGroups("bob")).containsExactly("analysts");
        assertThat(currentGroups("mallory")).isEmpty();
    }

    @Test
    void auditRecordsForSuccessfulAndFailedQueries() throws Exception {
        String succeeded;
        String failed = null;
        try (Connection connection = coordinator.connect("auditor");
                Statement statement = connection.createStatement()) {
            try (ResultSet result = statement.executeQuery(
                    "SELECT name FROM tpch.tiny.nation WHERE regionkey = 3")) {
                succeeded = result.unwrap(TrinoResultSet.class).getQueryId();
                while (result.next()) {
                    // Drain: the query completes when its results are consumed.
                }
            }
            try {
                statement.executeQuery("SELECT nationkey / 0 FROM tpch.tiny.nation").next();
            }
            catch (SQLException e) {
                assertThat(e.getMessage()).contains("Division by zero");
                failed = queryIdOf(e);
            }
        }
        assertThat(failed).isNotNull();

        JsonNode success = awaitCompletedRecord(succeeded);
        assertThat(success.path("user").asText()).isEqualTo("auditor");
        assertThat(success.path("state").asText()).isEqualTo("FINISHED");
        assertThat(success.path("query").asText()).isEqualTo("SELECT name FROM tpch.tiny.nation WHERE regionkey = ?");
        assertThat(success.path("outputRows").asLong()).isEqualTo(5);
        assertThat(success.path("read").get(0).path("table").asText()).isEqualTo("nation");
        assertThat(success.path("read").get(0).path("columns").toString()).contains("name", "regionkey");

        JsonNode failure = awaitCompletedRecord(failed);
        assertThat(failure.path("state").asText()).isEqualTo("FAILED");
        assertThat(failure.path("errorCode").asText()).isEqualTo("DIVISION_BY_ZERO");
        assertThat(failure.path("errorType").asText()).isEqualTo("USER_ERROR");
    }

    @Test
    void icebergTableIsCreatedWrittenAndReadBack() throws Exception {
        try (Connection connection = coordinator.connect("engineer");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS iceberg.network");
            statement.execute("""
                    CREATE TABLE iceberg.network.cells AS
                    SELECT nationkey AS cell_id, name AS site, regionkey AS region FROM tpch.tiny.nation""");
            statement.execute("INSERT INTO iceberg.network.cells VALUES (1000, 'LUXEMBOURG-1', 3)");
            try (ResultSet result = statement.executeQuery(
                    "SELECT count(*), sum(cell_id), max(site) FROM iceberg.network.cells")) {
                assertThat(result.next()).isTrue();
                assertThat(result.getLong(1)).isEqualTo(26);
                assertThat(result.getLong(2)).isEqualTo(300 + 1000);
                assertThat(result.getString(3)).isEqualTo("VIETNAM");
            }
            try (ResultSet result = statement.executeQuery(
                    "SELECT count(*) FROM iceberg.network.\"cells$snapshots\"")) {
                assertThat(result.next()).isTrue();
                assertThat(result.getLong(1)).isEqualTo(2);
            }
        }
        try (var files = Files.walk(warehouse)) {
            assertThat(files.map(Path::toString)).anyMatch(name -> name.endsWith(".parquet"));
        }
    }

    @Test
    void healthCheckSaysReadyOnlyWhenQueriesCanRun() throws Exception {
        assertThat(healthCheck(coordinator).getStdout()).startsWith("ready: coordinator, 2 active node(s)");
        assertThat(healthCheck(worker).getStdout()).startsWith("ready: worker ACTIVE");
        assertThat(healthCheck(coordinator).getExitCode()).isZero();

        // A coordinator that leaves splits to workers is not ready while it has none, though its HTTP server is up.
        try (TrinoContainer lonely = new TrinoContainer(PlatformImage.of("trino"), "coordinator")
                .withCatalog("tpch", "connector.name=tpch\n")) {
            lonely.start();
            // First "still initializing", then, for as long as no worker joins, "no active node". A probe that could
            // not reach the node at all (a connect timeout on a loaded machine) is a failed probe the next period
            // repeats, as Docker and the kubelet do: it is retried, said in the log, and is not the verdict.
            var result = healthCheck(lonely);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while ((result.getStdout().contains("still initializing") || result.getStdout().contains("timed out"))
                    && System.nanoTime() < deadline) {
                if (result.getStdout().contains("timed out")) {
                    System.out.println("health check probe retried after: " + result.getStdout().strip());
                }
                Thread.sleep(500);
                result = healthCheck(lonely);
            }
            assertThat(result.getExitCode()).isEqualTo(1);
            assertThat(result.getStdout()).startsWith("not ready: no active node to run splits yet");
            // And the probe cancelled its query instead of leaving it queued.
            assertThat(lonely.getLogs()).containsPattern("Query \\S+ :: FAILED \\(USER_CANCELED\\)");
        }
    }

    /** The image's own HEALTHCHECK command, as Docker or a Kubernetes exec probe runs it. */
    private static org.testcontainers.containers.Container.ExecResult healthCheck(TrinoContainer container)
            throws Exception {
        List<String> command = container.getContainerInfo().getConfig().getHealthcheck().getTest();
        return container.execInContainer(command.subList(1, command.size()).toArray(String[]::new));
    }

    @Test
    void aQueryOnAMissingTableFailsClearly() throws SQLException {
        try (Connection connection = coordinator.connect("analyst");
                Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.executeQuery("SELECT * FROM iceberg.network.no_such_table"))
                    .hasMessageContaining("does not exist");
        }
    }

    private static List<String> currentGroups(String user) throws SQLException {
        try (Connection connection = coordinator.connect(user);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(
                        "SELECT g FROM UNNEST(current_groups()) AS t(g) ORDER BY g")) {
            List<String> groups = new ArrayList<>();
            while (result.next()) {
                groups.add(result.getString(1));
            }
            return groups;
        }
    }

    /** trino-jdbc names the query in its messages: "Query failed (#20261126_060001_00003_abcde): ...". */
    private static String queryIdOf(SQLException e) {
        var matcher = java.util.regex.Pattern.compile("#(\\d{8}_\\d{6}_\\d{5}_\\w{5})").matcher(
                String.valueOf(e.getMessage()));
        if (matcher.find()) {
            return matcher.group(1);
        }
        throw new AssertionError("no query id in " + e.getMessage());
    }

    /** The coordinator's listener writes asynchronously; read the log until the record is there. */
    private static JsonNode awaitCompletedRecord(String queryId) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (String line : coordinator.readFile(AUDIT_LOG).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode record = JSON.readTree(line);
                if (record.path("queryId").asText().equals(queryId)
                        && record.path("event").asText().equals("completed")) {
                    return record;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no completed audit record for " + queryId);
    }
}
