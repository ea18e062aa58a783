import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Trino measurements for ci/benchmarks/trino, run with the JDK's source launcher and trino-jdbc on the class path:
 *
 * <pre>
 * java -cp trino-jdbc.jar TrinoBenchmark startup &lt;image&gt; &lt;runs&gt;
 * java -cp trino-jdbc.jar TrinoBenchmark audit-overhead &lt;image&gt; &lt;repetitions&gt;
 * </pre>
 *
 * Containers are started with the docker CLI on the default bridge and reached by their IP, one at a time, so that
 * the two cores are not shared between the configurations being compared.
 */
public final class TrinoBenchmark {
    private static final String HEAP = "-Xmx1536M";
    private static final String READY_QUERY = "SELECT count(*) FROM tpch.tiny.nation";
    private static final Map<String, String> QUERIES = new LinkedHashMap<>();

    static {
        QUERIES.put("Q1 pricing summary", """
                SELECT returnflag, linestatus, sum(quantity), sum(extendedprice), avg(discount), count(*)
                FROM tpch.sf1.lineitem WHERE shipdate <= DATE '1998-09-02' GROUP BY 1, 2 ORDER BY 1, 2""");
        QUERIES.put("Q6 forecast revenue", """
                SELECT sum(extendedprice * discount) FROM tpch.sf1.lineitem
                WHERE shipdate >= DATE '1994-01-01' AND shipdate < DATE '1995-01-01'
                  AND discount BETWEEN 0.05 AND 0.07 AND quantity < 24""");
        QUERIES.put("join orders x customer", """
                SELECT o.orderpriority, count(*) FROM tpch.sf1.orders o JOIN tpch.sf1.customer c
                ON o.custkey = c.custkey WHERE c.mktsegment = 'BUILDING' GROUP BY 1""");
        QUERIES.put("20 x small query", "SELECT count(*) FROM tpch.tiny.nation WHERE regionkey = 1");
    }

    private TrinoBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: TrinoBenchmark startup|audit-overhead <image> <runs>");
            System.exit(2);
        }
        int runs = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "startup" -> startup(args[1], runs);
            case "audit-overhead" -> auditOverhead(args[1], runs);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void startup(String image, int runs) throws Exception {
        Path config = configDirectory(false);
        List<Double> seconds = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            String container = docker("run", "-d", "-e", "JDK_JAVA_OPTIONS=" + HEAP, "-v", config + ":/etc/trino:ro",
                    image, "single");
            try {
                awaitQuery(ip(container), TimeUnit.MINUTES.toNanos(3));
                seconds.add((System.nanoTime() - start) / 1e9);
                System.out.printf("  %s run %d: first query after %.1f s, RSS %s%n", image, run + 1,
                        seconds.getLast(), docker("stats", "--no-stream", "--format", "{{.MemUsage}}", container));
            }
            finally {
                docker("rm", "-f", container);
            }
        }
        System.out.printf("startup %s: median %.1f s over %d runs%n", image, median(seconds), runs);
    }

    private static void auditOverhead(String image, int repetitions) throws Exception {
        Map<String, Map<String, Double>> results = new LinkedHashMap<>();
        for (boolean audit : new boolean[] {false, true}) {
            Path config = configDirectory(audit);
            String container = docker("run", "-d", "-e", "JDK_JAVA_OPTIONS=" + HEAP, "-v", config + ":/etc/trino:ro",
                    image, "single");
            try {
                String host = ip(container);
                awaitQuery(host, TimeUnit.MINUTES.toNanos(3));
                Map<String, Double> medians = new LinkedHashMap<>();
                try (Connection connection = DriverManager.getConnection("jdbc:trino://" + host + ":8080", "bench",
                        null); Statement statement = connection.createStatement()) {
                    // Warm-up: JIT and the tpch generators.
                    for (String sql : QUERIES.values()) {
                        drain(statement, sql);
                    }
                    for (Map.Entry<String, String> query : QUERIES.entrySet()) {
                        int times = query.getKey().startsWith("20 x") ? 20 : 1;
                        List<Double> seconds = new ArrayList<>();
                        for (int repetition = 0; repetition < repetitions; repetition++) {
                            long start = System.nanoTime();
                            for (int i = 0; i < times; i++) {
                                drain(statement, query.getValue());
                            }
                            seconds.add((System.nanoTime() - start) / 1e9);
                        }
                        medians.put(query.getKey(), median(seconds));
                    }
                }
                if (audit) {
                    String lines = docker("exec", container, "sh", "-c",
                            "n=0; while read -r line; do n=$((n+1)); done < /home/platform/trino/audit/audit.log; "
                                    + "echo $n");
                    System.out.printf("  audit log lines written: %s%n", lines.strip());
                }
                results.put(audit ? "with listener" : "without", medians);
            }
            finally {
                docker("rm", "-f", container);
            }
        }
        System.out.printf("%-26s %14s %14s %10s%n", "query (median of " + repetitions + ")", "without s",
                "with audit s", "overhead");
        double totalWithout = 0;
        double totalWith = 0;
        for (String query : QUERIES.keySet()) {
            double without = results.get("without").get(query);
            double with = results.get("with listener").get(query);
            totalWithout += without;
            totalWith += with;
            System.out.printf("%-26s %14.3f %14.3f %9.1f%%%n", query, without, with, 100 * (with - without) / without);
        }
        System.out.printf("%-26s %14.3f %14.3f %9.1f%%%n", "total", totalWithout, totalWith,
                100 * (totalWith - totalWithout) / totalWithout);
    }

    private static Path configDirectory(boolean audit) throws IOException {
        Path directory = Files.createTempDirectory("trino-benchmark");
        Files.createDirectories(directory.resolve("catalog"));
        Files.writeString(directory.resolve("catalog/tpch.properties"), "connector.name=tpch\n");
        if (audit) {
            Files.writeString(directory.resolve("config.properties"),
                    "event-listener.config-files=/etc/trino/audit.properties\n");
            Files.writeString(directory.resolve("audit.properties"), """
                    event-listener.name=platform-audit
                    audit-log.path=/home/platform/trino/audit/audit.log
                    audit-log.redact-literals=true
                    """);
        }
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.toList()) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                        Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return directory;
    }

    private static void awaitQuery(String host, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() < deadline) {
            try (Connection connection = DriverManager.getConnection("jdbc:trino://" + host + ":8080", "bench", null);
                    Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery(READY_QUERY)) {
                if (result.next() && result.getLong(1) == 25) {
                    return;
                }
            }
            catch (SQLException e) {
                // Not up yet, or "No nodes available": try again.
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Trino at " + host + " did not answer in time");
    }

    private static void drain(Statement statement, String sql) throws SQLException {
        try (ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                // Consume every row: the query finishes when its results are read.
            }
        }
    }

    private static String ip(String container) throws Exception {
        return docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", container).strip();
    }

    private static String docker(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
