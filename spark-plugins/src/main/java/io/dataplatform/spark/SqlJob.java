package io.dataplatform.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Runs SQL scripts and statements with Spark: the Spark image's {@code sql} entry point, and what an Airflow task
 * submits for a SQL-only job.
 * <pre>
 *   SqlJob [--max-rows N] (-f script.sql | -e "statement; ...")...
 * </pre>
 * Every script is read and split before anything runs, so a missing file or an unclosed quote runs nothing.
 * Statements run in order; a query's rows are printed tab-separated (at most {@code --max-rows}, default 100). The
 * first failing statement stops the job with its location and Spark's message, exit status 1; bad arguments exit 2.
 */
public final class SqlJob {
    private SqlJob() {}

    public static void main(String[] args) {
        List<SqlScript> scripts;
        int maxRows;
        try {
            maxRows = 100;
            scripts = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-f" -> scripts.add(read(Path.of(value(args, ++i, "-f"))));
                    case "-e" -> scripts.add(SqlScript.parse("-e#" + (scripts.size() + 1), value(args, ++i, "-e")));
                    case "--max-rows" -> maxRows = Integer.parseInt(value(args, ++i, "--max-rows"));
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]
                            + "; usage: SqlJob [--max-rows N] (-f script.sql | -e \"statement; ...\")...");
                }
            }
            if (scripts.stream().allMatch(script -> script.statements().isEmpty())) {
                throw new IllegalArgumentException("no SQL statement given (-f script.sql or -e \"statement\")");
            }
        }
        catch (IllegalArgumentException e) {
            System.err.println("sql: " + e.getMessage());
            System.exit(2);
            return;
        }
        SparkSession spark = SparkSession.builder().getOrCreate();
        int status = run(spark, scripts, maxRows, System.out, System.err);
        spark.stop();
        System.exit(status);
    }

    static int run(SparkSession spark, List<SqlScript> scripts, int maxRows, PrintStream out, PrintStream err) {
        for (SqlScript script : scripts) {
            for (SqlScript.Statement statement : script.statements()) {
                out.println("sql: " + statement.location() + ": " + firstLine(statement.text()));
                // Jobs and stages are named after the statement in the progress lines and the Spark UI.
                spark.sparkContext().setJobDescription(statement.location() + ": " + firstLine(statement.text()));
                spark.sparkContext().setCallSite(statement.location());
                try {
                    Dataset<Row> result;
                    try {
                        result = spark.sql(statement.text());
                    }
                    catch (Exception e) {
                        if (!createsOnlyWhatIsMissing(statement.text())) {
                            throw e;
                        }
                        // Two jobs creating the same namespace or table at once: the catalog (Iceberg's JDBC catalog
                        // checks, then inserts) lets the second fail. Once more, the object exists and this is a no-op.
                        err.println("sql: " + statement.location() + ": the statement failed (" + firstLine(
                                String.valueOf(e.getMessage())) + "); it creates only what is missing, which another "
                                + "job may have created at the same moment: once more");
                        result = spark.sql(statement.text());
                    }
                    print(result, maxRows, out);
                }
                catch (Exception e) { // AnalysisException is checked in Java's eyes, but thrown without a declaration
                    err.println("sql: " + statement.location() + ": the statement failed: " + e.getMessage());
                    return 1;
                }
                finally {
                    spark.sparkContext().setJobDescription(null);
                    spark.sparkContext().clearCallSite();
                }
            }
        }
        return 0;
    }

    private static final java.util.regex.Pattern CREATE_IF_NOT_EXISTS = java.util.regex.Pattern.compile(
            "(?is)\\s*CREATE\\s+(NAMESPACE|SCHEMA|DATABASE|TABLE)\\s+IF\\s+NOT\\s+EXISTS\\s.*");

    /** {@code CREATE NAMESPACE|SCHEMA|DATABASE|TABLE IF NOT EXISTS …}: running it again changes nothing. */
    static boolean createsOnlyWhatIsMissing(String sql) {
        return CREATE_IF_NOT_EXISTS.matcher(sql).matches();
    }

    private static void print(Dataset<Row> result, int maxRows, PrintStream out) {
        if (result.schema().isEmpty()) {
            return;
        }
        // Rows first: the jobs computing them print progress lines, which must not split the header from its rows.
        List<Row> rows = result.takeAsList(maxRows + 1);
        out.println(String.join("\t", result.columns()));
        for (Row row : rows.subList(0, Math.min(rows.size(), maxRows))) {
            StringJoiner line = new StringJoiner("\t");
            for (int i = 0; i < row.length(); i++) {
                line.add(row.isNullAt(i) ? "NULL" : String.valueOf(row.get(i)));
            }
            out.println(line);
        }
        if (rows.size() > maxRows) {
            out.println("(more than " + maxRows + " rows; the first " + maxRows + " are shown)");
        }
    }

    private static SqlScript read(Path file) {
        try {
            return SqlScript.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (NoSuchFileException e) {
            throw new IllegalArgumentException("the script " + file + " does not exist");
        }
        catch (IOException e) {
            throw new IllegalArgumentException("cannot read the script " + file + ": " + e.getMessage());
        }
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("").strip();
        return text.contains("\n") ? line + " ..." : line;
    }
}
