package io.dataplatform.it;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.containers.Network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Trino from the platform's image deciding every access with the platform's OPA image and its policies
 * (opa-policies, package trino): a matrix of users (groups from the group provider) × operations, each cell asserted
 * as allowed (and its effect seen), denied with Trino's access-denied error (and nothing changed; a catalog the user
 * may not access is denied as a whole), its rows filtered,
 * or its MSISDNs masked with our mask_msisdn.
 */
class TrinoAccessControlIT {
    private static final String GROUPS = """
            team-data-engineering: erin
            team-network-planning: paul
            analysts: nora, bea, ivy, nat
            region-north: nora, bea, ivy
            region-south: bea, ivy
            msisdn-readers: ivy
            platform-admins: ada
            """;
    private static final String ADMIN = "ada";

    /**
     * The policy, as the tests see it. Users: erin (team data-engineering, which also writes the curated schema),
     * paul (team network-planning), analysts nora (region north), bea (north and south), ivy (north and south, may
     * see MSISDNs) and nat (no region), ada (platform admin), sam (no group). Each word is an
     * {@link #OUTCOMES outcome}. Writers see the MSISDNs they write (Trino refuses an INSERT into a masked table).
     */
    private static final String MATRIX = """
            operation        erin      paul      nora      bea       ivy       nat       ada       sam
            show-catalogs    cat-all   cat-all   cat-all   cat-all   cat-all   cat-all   cat-all   cat-open
            list-schemas     sch-de    sch-np    sch-cur   sch-cur   sch-cur   sch-cur   sch-all   denied
            select-curated   clear     denied    north     masked    clear     none      clear     denied
            select-team      row-a     denied    denied    denied    denied    denied    row-a     denied
            insert-team      allowed   denied    denied    denied    denied    denied    allowed   denied
            insert-curated   allowed   denied    denied    denied    denied    denied    allowed   denied
            create-table     allowed   denied    denied    denied    denied    denied    allowed   denied
            drop-table       allowed   denied    denied    denied    denied    denied    allowed   denied
            create-schema    denied    allowed   denied    denied    denied    denied    allowed   denied
            drop-schema      denied    allowed   denied    denied    denied    denied    allowed   denied
            system-runtime   denied    denied    denied    denied    denied    denied    true      denied
            system-jdbc      true      true      true      true      true      true      true      true
            sample-data      true      true      true      true      true      true      true      true
            """;

    private static final Map<String, Outcome> OUTCOMES = Map.ofEntries(
            Map.entry("allowed", new Outcome.Allowed()),
            Map.entry("denied", new Outcome.Denied()),
            Map.entry("true", rows("true")),
            Map.entry("cat-all", rows("lakehouse", "system", "tpch")),
            Map.entry("cat-open", rows("system", "tpch")),
            Map.entry("sch-de", rows("curated", "data_engineering", "information_schema")),
            Map.entry("sch-np", rows("information_schema", "network_planning")),
            Map.entry("sch-cur", rows("curated", "information_schema")),
            Map.entry("sch-all", rows("curated", "data_engineering", "information_schema", "network_planning")),
            Map.entry("row-a", rows("a")),
            // Column masked: mask_msisdn keeps the country and operator prefix and the last two digits.
            Map.entry("masked", rows("+3361*****78|north", "+3369*****32|south")),
            Map.entry("clear", rows("+33612345678|north", "+33698765432|south")),
            // Rows filtered: the analyst's region only, or none without a region.
            Map.entry("north", rows("+3361*****78|north")),
            Map.entry("none", rows()));

    private static Network network;
    private static OpaContainer opa;
    private static TrinoContainer trino;

    @BeforeAll
    static void start() throws SQLException {
        network = Network.newNetwork();
        opa = new OpaContainer().withNetwork(network).withNetworkAliases("opa");
        opa.start();
        trino = new TrinoContainer(PlatformImage.of("trino"), "single")
                .withNetwork(network)
                .withEnv("TRINO_OPA_URL", "http://opa:" + OpaContainer.PORT)
                .withCatalog("tpch", "connector.name=tpch\n")
                // The policies are about names: an in-memory catalog named like the platform's Iceberg one.
                .withCatalog("lakehouse", "connector.name=memory\n")
                .withGroups(GROUPS);
        trino.start();
        trino.awaitQueries(0, ADMIN);
        execute(ADMIN, """
                CREATE SCHEMA lakehouse.curated
                CREATE SCHEMA lakehouse.data_engineering
                CREATE SCHEMA lakehouse.network_planning
                CREATE TABLE lakehouse.curated.subscribers (msisdn varchar, region varchar, plan varchar)
                INSERT INTO lakehouse.curated.subscribers VALUES ('+33612345678', 'north', 'prepaid'), \
                ('+33698765432', 'south', 'postpaid')
                CREATE TABLE lakehouse.curated.plans (name varchar)
                CREATE TABLE lakehouse.data_engineering.events (id bigint, kind varchar)
                INSERT INTO lakehouse.data_engineering.events VALUES (1, 'a')
                """.lines().toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        if (trino != null) {
            trino.close();
        }
        if (opa != null) {
            opa.close();
        }
        if (network != null) {
            network.close();
        }
    }

    /** One operation: what the admin prepares, what the user runs, and what the admin sees changed after it. */
    private record Operation(List<String> setup, String sql, String effect) {}

    private static Operation operation(String name, String user) {
        return switch (name) {
            case "show-catalogs" -> query("SHOW CATALOGS");
            case "list-schemas" -> query("SELECT schema_name FROM lakehouse.information_schema.schemata WHERE "
                    + "schema_name IN ('curated', 'data_engineering', 'network_planning', 'information_schema') "
                    + "ORDER BY 1");
            case "select-curated" -> query("SELECT msisdn, region FROM lakehouse.curated.subscribers ORDER BY region");
            case "select-team" -> query("SELECT kind FROM lakehouse.data_engineering.events WHERE id = 1");
            case "insert-team" -> new Operation(List.of(),
                    "INSERT INTO lakehouse.data_engineering.events VALUES (2, '%s')".formatted(user),
                    "SELECT count(*) FROM lakehouse.data_engineering.events WHERE kind = '%s'".formatted(user));
            case "insert-curated" -> new Operation(List.of(),
                    "INSERT INTO lakehouse.curated.plans VALUES ('%s')".formatted(user),
                    "SELECT count(*) FROM lakehouse.curated.plans WHERE name = '%s'".formatted(user));
            case "create-table" -> new Operation(List.of(),
                    "CREATE TABLE lakehouse.data_engineering.created_by_%s (id bigint)".formatted(user),
                    tableCount("data_engineering", "created_by_" + user));
            case "drop-table" -> new Operation(
                    List.of("CREATE TABLE lakehouse.data_engineering.dropped_by_%s (id bigint)".formatted(user)),
                    "DROP TABLE lakehouse.data_engineering.dropped_by_%s".formatted(user),
                    tableCount("data_engineering", "dropped_by_" + user));
            case "create-schema" -> new Operation(List.of(),
                    "CREATE SCHEMA lakehouse.network_planning_by_%s".formatted(user),
                    schemaCount("network_planning_by_" + user));
            case "drop-schema" -> new Operation(
                    List.of("CREATE SCHEMA lakehouse.network_planning_old_%s".formatted(user)),
                    "DROP SCHEMA lakehouse.network_planning_old_%s".formatted(user),
                    schemaCount("network_planning_old_" + user));
            case "system-runtime" -> query("SELECT count(*) > 0 FROM system.runtime.nodes");
            case "system-jdbc" -> query("SELECT count(*) > 0 FROM system.jdbc.catalogs");
            case "sample-data" -> query("SELECT count(*) = 25 FROM tpch.tiny.nation");
            default -> throw new IllegalArgumentException("no operation " + name);
        };
    }

    private static Operation query(String sql) {
        return new Operation(List.of(), sql, null);
    }

    private static String tableCount(String schema, String table) {
        return "SELECT count(*) FROM lakehouse.information_schema.tables WHERE table_schema = '%s' AND table_name = '%s'"
                .formatted(schema, table);
    }

    private static String schemaCount(String schema) {
        return "SELECT count(*) FROM lakehouse.information_schema.schemata WHERE schema_name = '%s'".formatted(schema);
    }

    static Stream<Arguments> cells() {
        return AccessMatrix.cells(MATRIX, OUTCOMES.keySet());
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("cells")
    void cell(String user, String operationName, String outcomeName) throws SQLException {
        Operation operation = operation(operationName, user);
        Outcome outcome = OUTCOMES.get(outcomeName);
        execute(ADMIN, operation.setup().toArray(String[]::new));
        String before = operation.effect() == null ? null : String.join(",", rowsOf(ADMIN, operation.effect()));
        switch (outcome) {
            case Outcome.Rows expected -> assertThat(rowsOf(user, operation.sql())).isEqualTo(expected.rows());
            case Outcome.Allowed _ -> execute(user, operation.sql());
            case Outcome.Denied _ -> assertThatThrownBy(() -> execute(user, operation.sql()))
                    .isInstanceOf(SQLException.class)
                    .hasMessageMatching("Query failed \\(#\\w+\\): Access Denied: .*");
        }
        if (before != null) {
            String after = String.join(",", rowsOf(ADMIN, operation.effect()));
            if (outcome instanceof Outcome.Allowed) {
                assertThat(after).as("what %s changed", operation.sql()).isNotEqualTo(before);
            }
            else {
                assertThat(after).as("nothing changed by the refused %s", operation.sql()).isEqualTo(before);
            }
        }
    }

    @Test
    void aUserOutsideEveryGroupSeesOnlyTheOpenCatalogsMetadata() throws SQLException {
        assertThat(rowsOf("sam", "SELECT table_schem FROM system.jdbc.tables WHERE table_cat = 'lakehouse'"))
                .isEmpty();
        assertThat(rowsOf("nora", "SELECT DISTINCT table_schem FROM system.jdbc.tables WHERE table_cat = 'lakehouse' "
                + "ORDER BY 1")).containsExactly("curated", "information_schema");
    }

    @Test
    void everyDecisionIsInOpasLog() {
        assertThatThrownBy(() -> execute("paul", "SELECT kind FROM lakehouse.data_engineering.events"))
                .hasMessageContaining("Access Denied: Cannot select from columns [kind] in table or view "
                        + "lakehouse.data_engineering.events");
        assertThat(opa.getLogs().lines()
                .filter(line -> line.contains("\"operation\":\"SelectFromColumns\"")
                        && line.contains("\"tableName\":\"events\"") && line.contains("\"user\":\"paul\""))
                .toList())
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("\"decision_id\"", "\"result\":false"));
    }

    private sealed interface Outcome {
        record Allowed() implements Outcome {}

        record Denied() implements Outcome {}

        record Rows(List<String> rows) implements Outcome {}
    }

    private static Outcome rows(String... rows) {
        return new Outcome.Rows(List.of(rows));
    }

    private static void execute(String user, String... statements) throws SQLException {
        try (Connection connection = trino.connect(user);
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** Each row as its columns joined by '|'. */
    private static List<String> rowsOf(String user, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = trino.connect(user);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> values = new ArrayList<>();
                for (int column = 1; column <= columns; column++) {
                    values.add(result.getString(column));
                }
                rows.add(String.join("|", values));
            }
        }
        return rows;
    }
}
