package io.dataplatform.spark;

import org.apache.spark.sql.execution.CommandResultExec;
import org.apache.spark.sql.execution.DataSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.command.DataWritingCommandExec;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanExecBase;
import org.apache.spark.sql.execution.datasources.v2.V2TableWriteExec;
import org.apache.spark.sql.execution.exchange.ReusedExchangeExec;
import org.apache.spark.sql.execution.metric.SQLMetric;
import scala.Option;

/**
 * Rows read and written, from the SQL metrics of an executed physical plan: the output rows of every table scan,
 * the rows a write received, and the bytes it wrote where the sink reports them (file-source writes; Iceberg's
 * commit metrics for INSERT and MERGE, not for CREATE TABLE AS SELECT, which commits a staged table). Task I/O
 * metrics do not cover DataSource V2 sinks (Iceberg); the plan does.
 */
record PlanMetrics(long rowsRead, long rowsWritten, long bytesWritten) {
    /** Iceberg's commit metric on its writes: the size of the data files the commit added. */
    static final String ICEBERG_ADDED_BYTES = "addedFileSizeInBytes";

    static PlanMetrics of(SparkPlan plan) {
        long[] totals = new long[3];
        visit(plan, totals);
        return new PlanMetrics(totals[0], totals[1], totals[2]);
    }

    private static void visit(SparkPlan plan, long[] totals) {
        if (plan instanceof ReusedExchangeExec) {
            return; // its rows were counted where the exchange first ran
        }
        if (plan instanceof AdaptiveSparkPlanExec adaptive) {
            visit(adaptive.executedPlan(), totals);
            return;
        }
        if (plan instanceof QueryStageExec stage) {
            visit(stage.plan(), totals);
            return;
        }
        if (plan instanceof CommandResultExec result) {
            visit(result.commandPhysicalPlan(), totals);
            return;
        }
        if (plan instanceof DataSourceV2ScanExecBase || plan instanceof DataSourceScanExec) {
            totals[0] += metric(plan, "numOutputRows");
        }
        else if (plan instanceof V2TableWriteExec write) {
            totals[1] += rowsInto(write.query());
            totals[2] += metric(plan, ICEBERG_ADDED_BYTES);
        }
        else if (plan instanceof DataWritingCommandExec write) {
            Option<SQLMetric> rows = write.cmd().metrics().get("numOutputRows");
            totals[1] += rows.isDefined() ? rows.get().value() : rowsInto(write.child());
            Option<SQLMetric> bytes = write.cmd().metrics().get("numOutputBytes");
            totals[2] += bytes.isDefined() ? bytes.get().value() : 0;
        }
        for (SparkPlan child : Scala.list(plan.children())) {
            visit(child, totals);
        }
        for (SparkPlan subquery : Scala.list(plan.subqueries())) {
            visit(subquery, totals);
        }
    }

    /** The rows a plan produced: the output rows of its topmost node that counts them. */
    private static long rowsInto(SparkPlan plan) {
        if (plan instanceof AdaptiveSparkPlanExec adaptive) {
            return rowsInto(adaptive.executedPlan());
        }
        if (plan instanceof QueryStageExec stage) {
            return rowsInto(stage.plan());
        }
        Option<SQLMetric> rows = plan.metrics().get("numOutputRows");
        if (rows.isDefined()) {
            return rows.get().value();
        }
        return plan.children().size() == 1 ? rowsInto(plan.children().head()) : 0;
    }

    private static long metric(SparkPlan plan, String name) {
        Option<SQLMetric> metric = plan.metrics().get(name);
        return metric.isDefined() ? metric.get().value() : 0;
    }
}
