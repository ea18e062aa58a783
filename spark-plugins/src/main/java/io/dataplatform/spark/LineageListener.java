package io.dataplatform.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.JobFailed;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One JSON record per SQL query or command the driver runs — and per job outside SQL (an RDD action, type "job") —
 * with the tables read and written, rows and bytes read and written, start time, duration and status (with the
 * error of a failed one). Records are appended, one line each, to {@code spark.platform.lineage.path}, or printed to
 * stdout as {@code [lineage] {...}} when it is not set. Registered through {@code spark.extraListeners}. One listener
 * sees an execution's start, its tasks' metrics and its end in order, and reads the ended execution's plan from the
 * end event (what Spark's own query execution listeners are given). A nested execution (the write inside CREATE
 * TABLE AS SELECT) is folded into its statement's record. A record that cannot be written is counted and reported
 * on stderr, never thrown at the query.
 */
public class LineageListener extends SparkListener {
    public static final String PATH = "spark.platform.lineage.path";
    static final String STDOUT_PREFIX = "[lineage] ";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExecutionMetrics metrics = new ExecutionMetrics();
    private volatile String applicationId;
    private volatile String applicationName;
    private volatile String user;
    private final Path path;
    private final PrintStream stdout;
    private final AtomicLong failedWrites = new AtomicLong();

    public LineageListener(SparkConf conf) {
        this(conf.getOption(PATH).isDefined() ? Path.of(conf.get(PATH)) : null, System.out);
    }

    LineageListener(Path path, PrintStream stdout) {
        this.path = path;
        this.stdout = stdout;
        this.user = System.getProperty("user.name");
    }

    @Override
    public void onApplicationStart(SparkListenerApplicationStart event) {
        applicationId = event.appId().isDefined() ? event.appId().get() : null;
        applicationName = event.appName();
        user = event.sparkUser();
    }

    @Override
    public void onJobStart(SparkListenerJobStart event) {
        metrics.onJobStart(event);
    }

    /** A job outside SQL (an RDD action) gets a record of its own: no tables, its tasks' rows and bytes. */
    @Override
    public void onJobEnd(SparkListenerJobEnd event) {
        if (!metrics.plainJob(event.jobId())) {
            return;
        }
        ExecutionMetrics.Totals totals = metrics.take(ExecutionMetrics.jobKey(event.jobId()));
        Throwable error = event.jobResult() instanceof JobFailed failed ? failed.exception() : null;
        ObjectNode record = record("job", error == null ? "SUCCEEDED" : "FAILED", totals.startTime,
                event.time() - totals.startTime, error, totals);
        record.put("jobId", event.jobId());
        if (totals.description != null) {
            record.put("description", totals.description);
        }
        array(record, "inputs", Set.of());
        array(record, "outputs", Set.of());
        write(record);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd event) {
        metrics.onTaskEnd(event);
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted event) {
        metrics.onStageCompleted(event);
    }

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
        if (event instanceof SparkListenerSQLExecutionStart start) {
            metrics.onExecutionStart(start);
        }
        else if (event instanceof SparkListenerSQLExecutionEnd end && end.qe() != null) {
            String operation = end.executionName().isDefined() ? end.executionName().get() : "query";
            if (end.executionFailure().isDefined()) {
                record(end.executionId(), operation, end.qe(), "FAILED", -1, end.executionFailure().get());
            }
            else {
                record(end.executionId(), operation, end.qe(), "SUCCEEDED",
                        TimeUnit.NANOSECONDS.toMillis(end.duration()), null);
            }
        }
    }

    private void record(long executionId, String operation, QueryExecution execution, String status,
            long durationMillis, Throwable error) {
        try {
            ExecutionMetrics.Totals totals = metrics.take(executionId);
            if (status.equals("SUCCEEDED")) {
                // Task I/O metrics miss DataSource V2 sinks and sources; the plan's SQL metrics have them.
                PlanMetrics plan = PlanMetrics.of(execution.executedPlan());
                totals.rowsRead = Math.max(totals.rowsRead, plan.rowsRead());
                totals.rowsWritten = Math.max(totals.rowsWritten, plan.rowsWritten());
                totals.bytesWritten = Math.max(totals.bytesWritten, plan.bytesWritten());
            }
            if (totals.nested(executionId)) {
                metrics.addToRoot(totals.rootExecutionId, totals);
                return;
            }
            write(record(executionId, operation, execution, status, durationMillis, error, totals));
        }
        catch (Exception e) {
            long failed = failedWrites.incrementAndGet();
            System.err.println("lineage: cannot describe execution " + executionId + " (" + failed
                    + " records lost so far): " + e);
        }
    }

    private ObjectNode record(long executionId, String operation, QueryExecution execution, String status,
            long durationMillis, Throwable error, ExecutionMetrics.Totals totals) {
        long end = System.currentTimeMillis();
        long start = totals.startTime > 0 ? totals.startTime : end - Math.max(durationMillis, 0);
        ObjectNode record = record("query", status, start, durationMillis >= 0 ? durationMillis : end - start, error,
                totals);
        record.put("executionId", executionId);
        record.put("operation", operation);
        Tables tables = tables(execution);
        array(record, "inputs", tables.inputs());
        array(record, "outputs", tables.outputs());
        return record;
    }

    /** The fields every record has. */
    private ObjectNode record(String type, String status, long start, long durationMillis, Throwable error,
            ExecutionMetrics.Totals totals) {
        ObjectNode record = JSON.createObjectNode();
        record.put("type", type);
        record.put("application", applicationId);
        record.put("applicationName", applicationName);
        record.put("user", user);
        record.put("status", status);
        record.put("startTime", Instant.ofEpochMilli(start).toString());
        record.put("durationMs", durationMillis);
        record.put("rowsRead", totals.rowsRead);
        record.put("bytesRead", totals.bytesRead);
        record.put("rowsWritten", totals.rowsWritten);
        record.put("bytesWritten", totals.bytesWritten);
        if (error != null) {
            record.put("error", error.getClass().getName() + ": " + error.getMessage());
        }
        return record;
    }

    /** The tables of an execution; a query that failed analysis has no plan to name them from. */
    private static Tables tables(QueryExecution execution) {
        try {
            return Tables.of(execution.analyzed());
        }
        catch (Exception e) { // AnalysisException: a checked exception Scala throws undeclared
            return new Tables(java.util.Set.of(), java.util.Set.of());
        }
    }

    private static void array(ObjectNode record, String field, Set<String> values) {
        values.forEach(record.putArray(field)::add);
    }

    private void write(ObjectNode record) {
        try {
            String line = JSON.writeValueAsString(record);
            if (path == null) {
                stdout.println(STDOUT_PREFIX + line);
                stdout.flush();
                return;
            }
            synchronized (this) {
                Files.write(path, (line + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            }
        }
        catch (IOException | RuntimeException e) {
            // A lineage sink must never fail the query it describes.
            long failed = failedWrites.incrementAndGet();
            System.err.println("lineage: cannot write a record to " + path + " (" + failed + " lost so far): " + e);
        }
    }

}
