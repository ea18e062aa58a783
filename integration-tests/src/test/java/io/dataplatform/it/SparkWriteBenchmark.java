package io.dataplatform.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.images.builder.Transferable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spark write benchmark of ci/benchmarks/spark (not part of `mvn verify`: run it with
 * {@code -Dit.test=SparkWriteBenchmark}). A client-mode driver on the {@link LakehouseCluster} (two workers, one
 * 1-core 512 MB executor each) generates TPC-H lineitem-shaped rows ({@code benchmark.rows}, default 6,000,000 =
 * scale factor 1) and appends them to an Iceberg table on the Kerberized HDFS {@code benchmark.runs} times (default
 * 2); the figures are taken from the lineage records the driver wrote (rows, duration) and from HDFS (bytes). It
 * prints them; it asserts only that the rows arrived.
 */
class SparkWriteBenchmark {
    private static final String CREATE = """
            CREATE NAMESPACE IF NOT EXISTS lakehouse.bench;
            CREATE TABLE lakehouse.bench.lineitem (
                l_orderkey bigint, l_partkey bigint, l_suppkey bigint, l_linenumber int,
                l_quantity decimal(12,2), l_extendedprice decimal(12,2), l_discount decimal(12,2),
                l_tax decimal(12,2), l_returnflag string, l_linestatus string, l_shipdate date, l_commitdate date,
                l_receiptdate date, l_shipinstruct string, l_shipmode string, l_comment string)
            USING iceberg;
            """;
    private static final String INSERT = """
            INSERT INTO lakehouse.bench.lineitem
            SELECT id DIV 4 + 1, (id * 7919) %% 200000 + 1, (id * 104729) %% 10000 + 1, CAST(id %% 4 + 1 AS int),
                   CAST(id %% 50 + 1 AS decimal(12,2)),
                   CAST(((id * 7919) %% 200000 + 1) * (id %% 50 + 1) / 100.0 AS decimal(12,2)),
                   CAST((id %% 11) / 100.0 AS decimal(12,2)), CAST((id %% 9) / 100.0 AS decimal(12,2)),
                   element_at(array('A', 'N', 'R'), CAST(id %% 3 + 1 AS int)),
                   element_at(array('F', 'O'), CAST(id %% 2 + 1 AS int)),
                   date_add(DATE'1992-01-02', CAST(id %% 2526 AS int)),
                   date_add(DATE'1992-01-31', CAST(id %% 2466 AS int)),
                   date_add(DATE'1992-01-03', CAST(id %% 2557 AS int)),
                   element_at(array('DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'),
                              CAST(id %% 4 + 1 AS int)),
                   element_at(array('REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'), CAST(id %% 7 + 1 AS int)),
                   substr(sha2(CAST(id AS string), 256), 1, CAST(id %% 34 + 10 AS int))
            FROM range(0, %d, 1, 8);
            """;

    @TempDir
    Path directory;

    @Test
    void appendLineitemRows() throws Exception {
        long rows = Long.getLong("benchmark.rows", 6_000_000L);
        int runs = Integer.getInteger("benchmark.runs", 2);
        try (LakehouseCluster cluster = LakehouseCluster.start(directory, false)) {
            String script = CREATE + INSERT.formatted(rows).repeat(runs);
            ContainerExit run;
            try (SparkContainer driver = cluster.driver("etl.keytab", "-f", "/jobs/lineitem.sql")
                    .withJobTimeout(java.time.Duration.ofMinutes(60))
                    .withCopyToContainer(Transferable.of(script.getBytes(StandardCharsets.UTF_8), 0644),
                            "/jobs/lineitem.sql")) {
                run = ContainerExit.of(driver);
            }
            assertThat(run.code()).as(run.logs()).isZero();

            ObjectMapper json = new ObjectMapper();
            List<JsonNode> inserts = new ArrayList<>();
            for (String line : Files.readAllLines(cluster.output.resolve("lineage.jsonl"))) {
                JsonNode record = json.readTree(line);
                if (record.get("outputs").toString().equals("[\"lakehouse.bench.lineitem\"]")) {
                    inserts.add(record);
                }
            }
            assertThat(inserts).hasSize(runs).allSatisfy(insert ->
                    assertThat(insert.get("rowsWritten").asLong()).isEqualTo(rows));
            long bytes = 0;
            for (FileStatus file : cluster.hdfs.files("/warehouse/bench/lineitem/data")) {
                bytes += file.getLen();
            }
            System.out.printf(Locale.ROOT, "spark benchmark: %,d rows per run (TPC-H lineitem shape), 2 executors "
                    + "x 1 core x 512 MB on 2 standalone workers, Iceberg on Kerberized HDFS (replication 2)%n", rows);
            for (JsonNode insert : inserts) {
                double seconds = insert.get("durationMs").asLong() / 1000.0;
                System.out.printf(Locale.ROOT, "spark benchmark: run %d: %.1f s, %,.0f rows/s%n",
                        inserts.indexOf(insert) + 1, seconds, rows / seconds);
            }
            System.out.printf(Locale.ROOT, "spark benchmark: %,.1f MB of Parquet data files for %,d rows (%.1f bytes/row)%n",
                    bytes / 1048576.0, rows * runs, (double) bytes / (rows * runs));
        }
    }
}
