package io.dataplatform.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The listeners and the SQL runner in a local SparkSession with an Iceberg catalog, as the image configures them. */
class TestSparkListeners {
    @TempDir
    static Path directory;

    private static SparkSession spark;
    private static Path lineage;
    private static final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        lineage = directory.resolve("lineage.jsonl");
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("listeners-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
                .config("spark.sql.catalog.lake", "org.apache.iceberg.spark.SparkCatalog")
                .config("spark.sql.catalog.lake.type", "hadoop")
                .config("spark.sql.catalog.lake.warehouse", directory.resolve("warehouse").toUri().toString())
                .config("spark.sql.warehouse.dir", directory.resolve("spark-warehouse").toUri().toString())
                .config("spark.extraListeners", LineageListener.class.getName())
                .config(LineageListener.PATH, lineage.toString())
                .getOrCreate();
        spark.sparkContext().addSparkListener(new ProgressListener(
                new PrintStream(progress, true, StandardCharsets.UTF_8), 0));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void lineageNamesTablesReadAndWrittenWithRowsAndStatus() throws IOException {
        int before = settledRecords().size();
        spark.sql("CREATE TABLE lake.sales.calls (msisdn string, seconds bigint) USING iceberg");
        spark.sql("INSERT INTO lake.sales.calls SELECT concat('4479', id), id * 10 FROM range(0, 1000)");
        spark.sql("CREATE TABLE lake.sales.long_calls USING iceberg AS "
                + "SELECT msisdn, seconds FROM lake.sales.calls WHERE seconds >= 5000");
        List<JsonNode> records = waitForRecords(before + 3);

        JsonNode insert = single(records, "lake.sales.calls", "range");
        assertThat(insert.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(insert.get("inputs")).isEmpty();
        assertThat(insert.get("rowsWritten").asLong()).isEqualTo(1000);
        assertThat(insert.get("bytesWritten").asLong()).isPositive();

        // One record for the statement: the write Iceberg runs as a nested execution is folded into it.
        JsonNode ctas = single(records, "lake.sales.long_calls", "");
        assertThat(ctas.get("operation").asText()).isEqualTo("create");
        assertThat(ctas.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(ctas.get("inputs").toString()).isEqualTo("[\"lake.sales.calls\"]");
        assertThat(ctas.get("rowsWritten").asLong()).isEqualTo(500);
        // Iceberg skipped the data file whose statistics show no seconds >= 5000: 500 of the 1000 rows were read.
        assertThat(ctas.get("rowsRead").asLong()).isEqualTo(500);
        assertThat(ctas.get("durationMs").asLong()).isPositive();
        assertThat(ctas.get("application").asText()).isEqualTo(spark.sparkContext().applicationId());

        // A query reading two tables through a join and a subquery.
        spark.sql("SELECT count(*) FROM lake.sales.calls c JOIN lake.sales.long_calls l ON c.msisdn = l.msisdn "
                + "WHERE c.seconds IN (SELECT seconds FROM lake.sales.long_calls)").collect();
        JsonNode join = waitForRecords(before + 4).get(before + 3);
        assertThat(join.get("outputs")).isEmpty();
        assertThat(join.get("inputs").toString()).isEqualTo("[\"lake.sales.calls\",\"lake.sales.long_calls\"]");
    }

    @Test
    void aFailedQueryIsRecordedWithItsError() throws IOException {
        int before = settledRecords().size();
        spark.sql("CREATE TABLE lake.sales.checked (id bigint) USING iceberg");
        assertThatThrownBy(() -> spark.sql(
                "INSERT INTO lake.sales.checked SELECT id + CAST(assert_true(id < 5, 'id too large') IS NULL AS bigint) "
                        + "FROM range(10)").collect());
        List<JsonNode> records = waitForRecords(before + 2);
        JsonNode failed = records.get(records.size() - 1);
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("outputs").toString()).isEqualTo("[\"lake.sales.checked\"]");
        assertThat(failed.get("error").asText()).contains("id too large");
    }

    @Test
    void aJobOutsideSqlGetsARecordWithItsTasksRows() throws IOException {
        int before = settledRecords().size();
        spark.sparkContext().setJobDescription("count the cells");
        long cells = spark.sparkContext().textFile(write("cells.txt", "a\nb\nc\nd\n"), 2).count();
        spark.sparkContext().setJobDescription(null);
        assertThat(cells).isEqualTo(4);

        List<JsonNode> records = waitForRecords(before + 1);
        JsonNode job = records.get(records.size() - 1);
        assertThat(job.get("type").asText()).isEqualTo("job");
        assertThat(job.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(job.get("description").asText()).isEqualTo("count the cells");
        assertThat(job.get("rowsRead").asLong()).isEqualTo(4);
        assertThat(job.get("bytesRead").asLong()).isPositive();
        assertThat(job.get("inputs")).isEmpty();
        assertThat(job.get("outputs")).isEmpty();
    }

    @Test
    void progressLinesForJobsAndStages() {
        spark.sparkContext().setJobDescription("count the calls");
        spark.range(0, 100, 1, 4).selectExpr("sum(id)").collect();
        spark.sparkContext().setJobDescription(null);
        waitForListeners();
        String lines = progress.toString(StandardCharsets.UTF_8);
        assertThat(lines).containsPattern("\\[spark] job \\d+ started: \\d+ stage\\(s\\), \\d+ task\\(s\\) - count the calls");
        assertThat(lines).containsPattern("\\[spark] stage \\d+ started: 4 task\\(s\\) - ");
        assertThat(lines).containsPattern("\\[spark] stage \\d+ finished in \\d+\\.\\d s: 4/4 tasks done");
        assertThat(lines).containsPattern("\\[spark] job \\d+ succeeded in \\d+\\.\\d s");
        // With an interval of 0 every task end between the first and the last is reported.
        assertThat(lines).containsPattern("\\[spark] stage \\d+: [123]/4 tasks done");
    }

    @Test
    void progressReportsAFailedJob() {
        assertThatThrownBy(() -> spark.range(0, 10, 1, 2).selectExpr("assert_true(id < 0, 'always fails')").collect());
        // The caller sees the failure before the scheduler posts the job's end: wait for that event, not just for
        // the listener bus to be empty at one moment.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (!java.util.regex.Pattern.compile("\\[spark] job \\d+ failed after .*always fails")
                .matcher(progress.toString(StandardCharsets.UTF_8)).find() && System.nanoTime() < deadline) {
            waitForListeners();
            Thread.onSpinWait();
        }
        assertThat(progress.toString(StandardCharsets.UTF_8))
                .containsPattern("\\[spark] stage \\d+ failed after \\d+\\.\\d s: 0/2 tasks done - .*always fails")
                .containsPattern("\\[spark] job \\d+ failed after \\d+\\.\\d s: .*always fails");
    }

    @Test
    void sqlJobRunsStatementsInOrderAndStopsAtTheFirstFailure() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<SqlScript> scripts = List.of(SqlScript.parse("job.sql", """
                CREATE TABLE lake.ops.cells (cell string, load int) USING iceberg;
                INSERT INTO lake.ops.cells VALUES ('a', 3), ('b', 7), ('c', 9);
                SELECT cell, load FROM lake.ops.cells WHERE load > 5 ORDER BY cell;
                SELECT * FROM lake.ops.no_such_table;
                DROP TABLE lake.ops.cells"""));

        int status = SqlJob.run(spark, scripts, 1, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "sql: job.sql:3: SELECT cell, load FROM lake.ops.cells WHERE load > 5 ORDER BY cell\ncell\tload\nb\t7\n"
                        + "(more than 1 rows; the first 1 are shown)\n");
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("sql: job.sql:4: the statement failed: [TABLE_OR_VIEW_NOT_FOUND]");
        // The statement after the failure did not run.
        assertThat(spark.catalog().tableExists("lake.ops.cells")).isTrue();
    }

    private static String write(String name, String content) throws IOException {
        return Files.writeString(directory.resolve(name), content).toUri().toString();
    }

    private static JsonNode single(List<JsonNode> records, String output, String input) {
        List<JsonNode> matching = records.stream()
                .filter(record -> record.get("outputs").toString().equals("[\"" + output + "\"]"))
                .filter(record -> input.isEmpty() || !record.get("inputs").toString().contains("lake."))
                .toList();
        assertThat(matching).as("records writing %s: %s", output, records).hasSize(1);
        return matching.get(0);
    }

    /**
     * The records once the listener bus has drained: what earlier statements (another test's too) will ever write,
     * so that counting from here is not thrown off by a record still on its way.
     */
    private static List<JsonNode> settledRecords() throws IOException {
        waitForListeners();
        return records();
    }

    private static List<JsonNode> waitForRecords(int count) throws IOException {
        waitForListeners();
        List<JsonNode> records = records();
        assertThat(records).as("lineage records").hasSizeGreaterThanOrEqualTo(count);
        return records;
    }

    private static void waitForListeners() {
        try {
            spark.sparkContext().listenerBus().waitUntilEmpty();
        }
        catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the listener bus did not drain", e);
        }
    }

    private static List<JsonNode> records() throws IOException {
        if (!Files.exists(lineage)) {
            return List.of();
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(lineage)) {
            records.add(json.readTree(line));
        }
        return records;
    }
}
