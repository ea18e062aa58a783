package io.dataplatform.spark;

import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rows and bytes read and written per SQL execution, summed from the task metrics of the jobs that ran under that
 * execution's id (and per job for jobs outside SQL), fed by the lineage listener. It takes an execution's totals when the execution ends: the listener
 * bus delivers every task end of an execution before the execution's end.
 */
final class ExecutionMetrics {
    static final String EXECUTION_ID = "spark.sql.execution.id";

    private final Map<Integer, Long> executionOfStage = new ConcurrentHashMap<>();
    private final Map<Long, Totals> totals = new ConcurrentHashMap<>();

    void onExecutionStart(SparkListenerSQLExecutionStart start) {
        Totals execution = totals.computeIfAbsent(start.executionId(), id -> new Totals());
        execution.startTime = start.time();
        execution.rootExecutionId = start.rootExecutionId().isDefined()
                ? (Long) start.rootExecutionId().get() : start.executionId();
    }

    /** Jobs outside SQL (RDD actions) are kept under a key of their own, below the executions' (which are ≥ 0). */
    static long jobKey(int jobId) {
        return -1L - jobId;
    }

    void onJobStart(SparkListenerJobStart event) {
        String executionId = event.properties() == null ? null : event.properties().getProperty(EXECUTION_ID);
        long id;
        if (executionId == null) {
            id = jobKey(event.jobId());
            Totals job = totals.computeIfAbsent(id, key -> new Totals());
            job.startTime = event.time();
            job.description = event.properties() == null ? null
                    : event.properties().getProperty("spark.job.description");
        }
        else {
            id = Long.parseLong(executionId);
        }
        for (Object stageId : Scala.list(event.stageIds())) {
            executionOfStage.put((Integer) stageId, id);
        }
    }

    void onTaskEnd(SparkListenerTaskEnd event) {
        Long executionId = executionOfStage.get(event.stageId());
        TaskMetrics metrics = event.taskMetrics();
        if (executionId == null || metrics == null) {
            return;
        }
        totals.computeIfAbsent(executionId, id -> new Totals()).add(metrics);
    }

    void onStageCompleted(SparkListenerStageCompleted event) {
        // A stage belongs to one job; once it completed no task of it ends any more.
        executionOfStage.remove(event.stageInfo().stageId());
    }

    /**
     * Adds a nested execution's totals to its root's (a CREATE TABLE AS SELECT runs its write as a nested execution;
     * lineage reports the statement, not its parts).
     */
    void addToRoot(long rootExecutionId, Totals nested) {
        Totals root = totals.computeIfAbsent(rootExecutionId, id -> new Totals());
        root.add(nested);
    }

    /** Whether {@code jobId} ran outside any SQL execution (and has not been taken yet). */
    boolean plainJob(int jobId) {
        return totals.containsKey(jobKey(jobId));
    }

    /** The totals of an execution, forgotten once taken. */
    Totals take(long executionId) {
        Totals taken = totals.remove(executionId);
        return taken == null ? new Totals() : taken;
    }

    static final class Totals {
        long startTime;
        long rootExecutionId = -1;
        String description;
        long rowsRead;
        long bytesRead;
        long rowsWritten;
        long bytesWritten;

        boolean nested(long executionId) {
            return rootExecutionId >= 0 && rootExecutionId != executionId;
        }

        synchronized void add(Totals other) {
            rowsRead += other.rowsRead;
            bytesRead += other.bytesRead;
            rowsWritten += other.rowsWritten;
            bytesWritten += other.bytesWritten;
        }

        synchronized void add(TaskMetrics metrics) {
            rowsRead += metrics.inputMetrics().recordsRead();
            bytesRead += metrics.inputMetrics().bytesRead();
            rowsWritten += metrics.outputMetrics().recordsWritten();
            bytesWritten += metrics.outputMetrics().bytesWritten();
        }
    }
}
