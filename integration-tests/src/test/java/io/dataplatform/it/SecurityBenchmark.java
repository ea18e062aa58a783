package io.dataplatform.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Network;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cost of the platform's authorisation, for ci/benchmarks/security (not part of `mvn verify`: run it with
 * {@code -Dit.test=SecurityBenchmark}): Trino query latency on a fixed query set with and without OPA deciding, and
 * NameNode operations per second with and without the OPA authoriser. One configuration at a time, so that the two
 * cores are not shared between the configurations compared. It prints the figures ({@code security benchmark:}
 * lines); it asserts only that the work was done.
 */
class SecurityBenchmark {
    private static final int REPETITIONS = Integer.getInteger("benchmark.repetitions", 20);
    private static final int HDFS_OPERATIONS = Integer.getInteger("benchmark.hdfsOperations", 2000);
    private static final String GROUPS = """
            team-data-engineering: erin
            analysts: nora
            region-north: nora
            platform-admins: ada
            """;
    private static final Map<String, String> QUERIES = new LinkedHashMap<>();

    static {
        QUERIES.put("tpch aggregate", "SELECT returnflag, count(*), sum(quantity) FROM tpch.tiny.lineitem GROUP BY 1");
        QUERIES.put("lakehouse select (masked, filtered for nora)",
                "SELECT msisdn, region FROM lakehouse.curated.subscribers");
        QUERIES.put("information_schema tables", "SELECT count(*) FROM lakehouse.information_schema.tables");
        QUERIES.put("SHOW SCHEMAS", "SHOW SCHEMAS FROM lakehouse");
    }

    @TempDir
    Path directory;

    @Test
    void trinoQueryLatencyWithAndWithoutOpa() throws Exception {
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        for (boolean withOpa : List.of(false, true)) {
            try (Network network = Network.newNetwork();
                    OpaContainer opa = new OpaContainer().withNetwork(network).withNetworkAliases("opa")) {
                TrinoContainer trino = new TrinoContainer(PlatformImage.of("trino"), "single")
                        .withNetwork(network)
                        .withCatalog("tpch", "connector.name=tpch\n")
                        .withCatalog("lakehouse", "connector.name=memory\n")
                        .withGroups(GROUPS);
                if (withOpa) {
                    opa.start();
                    trino.withEnv("TRINO_OPA_URL", "http://opa:" + OpaContainer.PORT);
                }
                try (trino) {
                    trino.start();
                    trino.awaitQueries(0, "platform-healthcheck");
                    run(trino, "ada", "CREATE SCHEMA lakehouse.curated");
                    run(trino, "erin", "CREATE TABLE lakehouse.curated.subscribers AS SELECT "
                            + "'+3361234' || lpad(CAST(custkey AS varchar), 4, '0') AS msisdn, "
                            + "element_at(ARRAY['north', 'south'], CAST(custkey % 2 AS integer) + 1) AS region "
                            + "FROM tpch.tiny.customer");
                    for (int i = 0; i < 10; i++) {
                        QUERIES.values().forEach(sql -> run(trino, "nora", sql));
                    }
                    Map<String, Double> configuration = new LinkedHashMap<>();
                    QUERIES.forEach((name, sql) -> {
                        List<Long> nanos = new ArrayList<>();
                        for (int i = 0; i < REPETITIONS; i++) {
                            long start = System.nanoTime();
                            run(trino, "nora", sql);
                            nanos.add(System.nanoTime() - start);
                        }
                        Collections.sort(nanos);
                        configuration.put(name, nanos.get(nanos.size() / 2) / 1e6);
                    });
                    medians.put(withOpa ? "with OPA" : "without OPA", configuration);
                }
            }
        }
        QUERIES.keySet().forEach(name -> System.out.printf(
                "security benchmark: trino %-45s median %6.1f ms without OPA, %6.1f ms with OPA (%d runs each)%n",
                name, medians.get("without OPA").get(name), medians.get("with OPA").get(name), REPETITIONS));
        assertThat(medians).hasSize(2);
    }

    private static void run(TrinoContainer trino, String user, String sql) {
        try (Connection connection = trino.connect(user);
                Statement statement = connection.createStatement()) {
            if (statement.execute(sql)) {
                try (ResultSet result = statement.getResultSet()) {
                    while (result.next()) {
                        result.getObject(1);
                    }
                }
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    @Test
    void nameNodeOperationsPerSecondWithAndWithoutTheAuthoriser() throws Exception {
        Map<String, double[]> rates = new LinkedHashMap<>();
        for (boolean withOpa : List.of(false, true)) {
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("HDFS_USER_GROUPS", "etl=team-data-engineering;");
            if (withOpa) {
                environment.put("HDFS_OPA_URL", "http://" + PlatformNetwork.fqdn("opa") + ":" + OpaContainer.PORT);
            }
            try (HdfsCluster cluster = HdfsCluster.start(directory.resolve(withOpa ? "with" : "without"), environment);
                    OpaContainer opa = cluster.network.attach(new OpaContainer(), "opa")) {
                if (withOpa) {
                    opa.start();
                }
                String table = "/warehouse/data_engineering/bench";
                cluster.as("hdfs", fs -> {
                    fs.mkdirs(new org.apache.hadoop.fs.Path(table));
                    // Without the authoriser, POSIX must let etl work there.
                    fs.setOwner(new org.apache.hadoop.fs.Path("/warehouse/data_engineering"), "etl", null);
                    fs.setOwner(new org.apache.hadoop.fs.Path(table), "etl", null);
                    return null;
                });
                rates.put(withOpa ? "with" : "without", cluster.as("etl", fs -> measure(fs, table)));
            }
        }
        String[] kinds = {"getFileInfo (same paths)", "listStatus", "mkdirs (new paths)"};
        for (int i = 0; i < kinds.length; i++) {
            System.out.printf("security benchmark: namenode %-26s %7.0f ops/s without the authoriser, %7.0f ops/s "
                    + "with it (%d operations, one client)%n", kinds[i], rates.get("without")[i], rates.get("with")[i],
                    HDFS_OPERATIONS);
        }
        assertThat(rates).hasSize(2);
    }

    /** getFileInfo on 20 paths round robin, listStatus of the directory, then new directories; ops/s each. */
    private static double[] measure(FileSystem fs, String table) throws Exception {
        List<org.apache.hadoop.fs.Path> files = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(table + "/seed-" + i);
            try (FSDataOutputStream out = fs.create(file)) {
                out.write("x".getBytes(StandardCharsets.UTF_8));
            }
            files.add(file);
        }
        for (int i = 0; i < 200; i++) {
            fs.getFileStatus(files.get(i % files.size()));
        }
        long start = System.nanoTime();
        for (int i = 0; i < HDFS_OPERATIONS; i++) {
            fs.getFileStatus(files.get(i % files.size()));
        }
        double getFileInfo = HDFS_OPERATIONS / ((System.nanoTime() - start) / 1e9);
        start = System.nanoTime();
        for (int i = 0; i < HDFS_OPERATIONS; i++) {
            fs.listStatus(new org.apache.hadoop.fs.Path(table));
        }
        double list = HDFS_OPERATIONS / ((System.nanoTime() - start) / 1e9);
        int creates = HDFS_OPERATIONS / 10;
        start = System.nanoTime();
        for (int i = 0; i < creates; i++) {
            fs.mkdirs(new org.apache.hadoop.fs.Path(table + "/partition-" + i));
        }
        double create = creates / ((System.nanoTime() - start) / 1e9);
        return new double[] {getFileInfo, list, create};
    }
}
