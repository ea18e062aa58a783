package io.dataplatform.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.lifecycle.Startables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Trino reaching the Kerberized HDFS as the end user: the lakehouse catalog of the platform's image logs in as
 * trino/trino.platform.test and acts for each query's user (impersonation), the NameNode allowing it only for the
 * groups its proxy-user rule names. Trino's own access control is left open here (allow-all) so that every refusal
 * below is HDFS's: the NameNode's authoriser asking the platform's hdfs policies about alice, bob or carol — never
 * about trino, which has no rights of its own in the warehouse.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrinoImpersonationIT {
    private static final String OPA_URL = "http://" + PlatformNetwork.fqdn("opa") + ":" + OpaContainer.PORT;
    /** alice: data engineering (owns data_engineering*, writes curated); bob: network planning; carol: analyst. */
    private static final String GROUPS = "alice=team-data-engineering;bob=team-network-planning;carol=analysts;";

    private static HdfsCluster hdfs;
    private static OpaContainer opa;
    private static PostgresContainer catalog;
    private static TrinoContainer trino;

    @BeforeAll
    static void start() throws Exception {
        Path directory = Files.createTempDirectory("trino-impersonation");
        hdfs = HdfsCluster.start(directory, Map.of(
                "HDFS_OPA_URL", OPA_URL,
                "HDFS_USER_GROUPS", GROUPS,
                // Trino may act for the platform's people (their groups), not for just anyone.
                "HDFS_PROXY_USERS", "trino=analysts,team-data-engineering,team-network-planning;"));
        try {
            // The warehouse root is the superuser's, 0700: whatever users do below it is the policies' grant.
            hdfs.as("hdfs", fs -> fs.mkdirs(new org.apache.hadoop.fs.Path("/warehouse"), new FsPermission((short) 0700)));
            opa = hdfs.network.attach(new OpaContainer(), "opa");
            catalog = LakehouseCluster.catalog(hdfs);
            trino = LakehouseCluster.trino(hdfs);
            Startables.deepStart(opa, catalog, trino).get(5, TimeUnit.MINUTES);
            trino.awaitQueries(0);
        }
        catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable container : new AutoCloseable[] {trino, catalog, opa, hdfs}) {
            try {
                if (container != null) {
                    container.close();
                }
            }
            catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    @Order(1)
    void filesATeamMemberWritesThroughTrinoAreHers() throws Exception {
        execute("alice", "CREATE SCHEMA lakehouse.data_engineering");
        execute("alice", "CREATE TABLE lakehouse.data_engineering.calls AS "
                + "SELECT orderkey AS id, custkey AS cell FROM tpch.tiny.orders");
        execute("alice", "INSERT INTO lakehouse.data_engineering.calls VALUES (1, 2)");
        assertThat(query("alice", "SELECT count(*) FROM lakehouse.data_engineering.calls")).containsExactly("15001");

        List<FileStatus> files = hdfs.files("/warehouse/data_engineering");
        assertThat(files).extracting(file -> file.getPath().getName())
                .anyMatch(name -> name.endsWith(".parquet"))
                .anyMatch(name -> name.endsWith(".metadata.json"));
        // Written by Trino's principal, owned by the person who ran the query.
        assertThat(files).allSatisfy(file -> assertThat(file.getOwner()).as(file.getPath().toString())
                .isEqualTo("alice"));
    }

    @Test
    @Order(2)
    void hdfsRefusesAnotherTeamsMemberWhatTrinoWouldAllow() throws Exception {
        int before = hdfs.files("/warehouse/data_engineering").size();
        assertThatThrownBy(() -> query("bob", "SELECT count(*) FROM lakehouse.data_engineering.calls"))
                .satisfies(failure -> assertThat(chain(failure))
                        .contains("Permission denied by the platform's policies: user=bob"));
        assertThatThrownBy(() -> execute("bob", "INSERT INTO lakehouse.data_engineering.calls VALUES (3, 4)"))
                .satisfies(failure -> assertThat(chain(failure))
                        .contains("Permission denied by the platform's policies: user=bob"));
        // Nothing of bob's reached the table.
        assertThat(hdfs.files("/warehouse/data_engineering")).hasSize(before)
                .noneSatisfy(file -> assertThat(file.getOwner()).isEqualTo("bob"));
        assertThat(query("alice", "SELECT count(*) FROM lakehouse.data_engineering.calls")).containsExactly("15001");
    }

    @Test
    @Order(3)
    void analystsReadCuratedDataButDoNotWriteIt() throws Exception {
        execute("alice", "CREATE SCHEMA lakehouse.curated");
        execute("alice", "CREATE TABLE lakehouse.curated.subscribers AS "
                + "SELECT custkey AS id, name FROM tpch.tiny.customer");
        assertThat(query("carol", "SELECT count(*) FROM lakehouse.curated.subscribers")).containsExactly("1500");
        assertThatThrownBy(() -> execute("carol", "INSERT INTO lakehouse.curated.subscribers VALUES (0, 'x')"))
                .satisfies(failure -> assertThat(chain(failure))
                        .contains("Permission denied by the platform's policies: user=carol"));
        // carol may not open a schema directory in the warehouse either.
        execute("carol", "CREATE SCHEMA lakehouse.carols");
        assertThatThrownBy(() -> execute("carol", "CREATE TABLE lakehouse.carols.t (id BIGINT)"))
                .satisfies(failure -> assertThat(chain(failure))
                        .contains("Permission denied by the platform's policies: user=carol"));
        assertThat(hdfs.files("/warehouse/curated")).allSatisfy(file -> assertThat(file.getOwner()).isEqualTo("alice"));
    }

    @Test
    @Order(4)
    void theNameNodeLetsTrinoActOnlyForTheGroupsItsRuleNames() {
        // mallory is in none of the proxy-user rule's groups: the NameNode refuses to let Trino act for her.
        assertThatThrownBy(() -> query("mallory", "SELECT count(*) FROM lakehouse.curated.subscribers"))
                .satisfies(failure -> assertThat(chain(failure))
                        .contains("trino/trino.platform.test@" + HdfsCluster.REALM + " is not allowed to impersonate mallory"));
    }

    @Test
    @Order(5)
    void theLakehouseAnswersTheFirstQueryAfterItsCatalogDatabaseRestarts() throws Exception {
        // Trino holds pooled connections to the catalog database (the queries above, and this one).
        String schemas = "SELECT count(*) FROM lakehouse.information_schema.schemata";
        assertThat(query("alice", schemas)).hasSize(1);
        catalog.getDockerClient().restartContainerCmd(catalog.getContainerId()).withTimeout(60).exec();
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(120);
        while (catalog.execInContainer("postgres-entrypoint", "health").getExitCode() != 0) {
            assertThat(java.time.Instant.now()).as("PostgreSQL ready again after its restart").isBefore(deadline);
            Thread.sleep(1000);
        }
        // Its fast shutdown ended every pooled connection: each is reconnected, no query fails on one. (This restart
        // does not reproduce the one failure seen after the cluster's PostgreSQL pod was replaced: README.)
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(query("alice", schemas)).as("lakehouse query %d after the restart", attempt).hasSize(1);
        }
    }

    private static void execute(String user, String sql) throws SQLException {
        try (Connection connection = trino.connect(user); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static List<String> query(String user, String sql) throws SQLException {
        try (Connection connection = trino.connect(user); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (result.next()) {
                rows.add(result.getString(1));
            }
            return rows;
        }
    }

    /** Every message of a failure and its causes (the JDBC driver carries the server's causes). */
    private static String chain(Throwable failure) {
        StringBuilder messages = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            messages.append(cause.getMessage()).append('\n');
        }
        return messages.toString();
    }
}
