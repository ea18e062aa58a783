package io.dataplatform.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.JobFailed;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Concise progress lines on the driver's stdout, so a Spark job run by an Airflow task (client mode) shows its
 * progress in the task log: a line when a job or stage starts, tasks done/total at most every
 * {@code spark.platform.progress.interval} (default 10 s) per stage, and a line when each finishes, with its
 * duration. Registered through {@code spark.extraListeners}.
 */
public class ProgressListener extends SparkListener {
    public static final String INTERVAL = "spark.platform.progress.interval";
    static final String PREFIX = "[spark] ";

    private final PrintStream out;
    private final long intervalMillis;
    private final Map<Integer, Long> jobStarts = new ConcurrentHashMap<>();
    private final Map<Integer, StageProgress> stages = new ConcurrentHashMap<>();

    public ProgressListener(SparkConf conf) {
        this(System.out, conf.getTimeAsMs(INTERVAL, "10s"));
    }

    ProgressListener(PrintStream out, long intervalMillis) {
        this.out = out;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public void onJobStart(SparkListenerJobStart event) {
        jobStarts.put(event.jobId(), event.time());
        int tasks = 0;
        for (StageInfo stage : Scala.list(event.stageInfos())) {
            tasks += stage.numTasks();
        }
        String description = event.properties() == null ? null : event.properties().getProperty("spark.job.description");
        print("job %d started: %d stage(s), %d task(s)%s", event.jobId(), event.stageInfos().size(), tasks,
                description == null ? "" : " - " + oneLine(description));
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted event) {
        StageInfo stage = event.stageInfo();
        stages.put(stage.stageId(), new StageProgress(stage.numTasks(), System.currentTimeMillis()));
        print("stage %d started: %d task(s) - %s", stage.stageId(), stage.numTasks(), oneLine(stage.name()));
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd event) {
        StageProgress progress = stages.get(event.stageId());
        if (progress == null) {
            return;
        }
        long now = System.currentTimeMillis();
        int done = progress.taskEnded(event.taskInfo().successful());
        if (done < progress.total && now - progress.lastPrinted >= intervalMillis) {
            progress.lastPrinted = now;
            print("stage %d: %d/%d tasks done", event.stageId(), done, progress.total);
        }
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted event) {
        StageInfo stage = event.stageInfo();
        StageProgress progress = stages.remove(stage.stageId());
        String duration = stage.submissionTime().isDefined() && stage.completionTime().isDefined()
                ? seconds((Long) stage.completionTime().get() - (Long) stage.submissionTime().get()) : "?";
        int done = progress == null ? stage.numTasks() : progress.succeeded;
        if (stage.failureReason().isDefined()) {
            print("stage %d failed after %s: %d/%d tasks done - %s", stage.stageId(), duration, done,
                    stage.numTasks(), oneLine(stage.failureReason().get()));
        }
        else {
            print("stage %d finished in %s: %d/%d tasks done", stage.stageId(), duration, done, stage.numTasks());
        }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd event) {
        Long start = jobStarts.remove(event.jobId());
        String duration = start == null ? "?" : seconds(event.time() - start);
        if (event.jobResult() instanceof JobFailed failed) {
            print("job %d failed after %s: %s", event.jobId(), duration, oneLine(String.valueOf(failed.exception())));
        }
        else {
            print("job %d succeeded in %s", event.jobId(), duration);
        }
    }

    @Override
    public void onApplicationEnd(SparkListenerApplicationEnd event) {
        out.flush();
    }

    private void print(String format, Object... arguments) {
        out.println(PREFIX + String.format(Locale.ROOT, format, arguments));
        out.flush();
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() > 160 ? line.substring(0, 157) + "..." : line;
    }

    private static final class StageProgress {
        final int total;
        int succeeded;
        long lastPrinted;

        StageProgress(int total, long started) {
            this.total = total;
            this.lastPrinted = started;
        }

        synchronized int taskEnded(boolean successful) {
            if (successful) {
                succeeded++;
            }
            return succeeded;
        }
    }
}
