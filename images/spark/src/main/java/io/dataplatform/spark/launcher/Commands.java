package io.dataplatform.spark.launcher;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The argument lists of the roles: what the launcher hands to Spark's own entry points. */
final class Commands {
    static final String SQL_JOB = "io.dataplatform.spark.SqlJob";
    static final String PLUGINS_JAR = "/opt/spark/platform/spark-plugins.jar";
    static final String EXECUTOR_BACKEND = "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend";
    private static final Set<String> SQL_JOB_OPTIONS = Set.of("-f", "-e");

    private Commands() {}

    static String[] master(String address, Map<String, String> environment) {
        return new String[] {"--host", address,
                "--port", environment.getOrDefault("SPARK_MASTER_PORT", "7077"),
                "--webui-port", environment.getOrDefault("SPARK_MASTER_WEBUI_PORT", "8080")};
    }

    static String[] worker(String[] args, String address, Map<String, String> environment) {
        String master = args.length > 1 ? args[1] : environment.get("SPARK_MASTER_URL");
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("a worker needs the master's URL (spark://host:7077): as the argument "
                    + "after 'worker' or in SPARK_MASTER_URL");
        }
        return new String[] {"--host", address,
                "--webui-port", environment.getOrDefault("SPARK_WORKER_WEBUI_PORT", "8081"),
                "--work-dir", environment.getOrDefault("SPARK_WORKER_DIR", "/var/lib/spark/work"),
                master.strip()};
    }

    /** spark-submit's arguments: for {@code sql}, the options before the first -f/-e, then the SQL job. */
    static String[] submit(Role role, String[] args) {
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (role == Role.SUBMIT) {
            if (rest.isEmpty()) {
                throw new IllegalArgumentException("submit needs spark-submit's arguments, e.g. submit --class "
                        + "com.example.Job /jobs/job.jar");
            }
            return rest.toArray(String[]::new);
        }
        int first = 0;
        while (first < rest.size() && !SQL_JOB_OPTIONS.contains(rest.get(first))) {
            first++;
        }
        if (first == rest.size()) {
            throw new IllegalArgumentException("sql needs a script or a statement: sql [spark-submit options] "
                    + "(-f script.sql | -e \"statement\")...");
        }
        List<String> command = new ArrayList<>(rest.subList(0, first));
        command.addAll(List.of("--class", SQL_JOB, PLUGINS_JAR));
        command.addAll(rest.subList(first, rest.size()));
        return command.toArray(String[]::new);
    }

    /**
     * The executor JVM Spark's Kubernetes scheduler expects the image to start (the contract of Spark's own
     * entrypoint.sh): heap = SPARK_EXECUTOR_MEMORY, JVM options from SPARK_JAVA_OPT_0..n, class path from
     * SPARK_CONF_DIR, HADOOP_CONF_DIR, SPARK_CLASSPATH and the image's jars.
     */
    static List<String> executor(Map<String, String> environment, String javaHome) {
        List<String> missing = new ArrayList<>();
        for (String name : List.of("SPARK_DRIVER_URL", "SPARK_EXECUTOR_ID", "SPARK_EXECUTOR_CORES",
                "SPARK_EXECUTOR_MEMORY", "SPARK_APPLICATION_ID", "SPARK_EXECUTOR_POD_IP")) {
            if (environment.getOrDefault(name, "").isBlank()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("an executor is started by Spark's Kubernetes scheduler, which sets "
                    + String.join(", ", missing) + "; they are not set");
        }
        List<String> command = new ArrayList<>();
        command.add(javaHome + "/bin/java");
        Map<Integer, String> javaOptions = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.matches("SPARK_JAVA_OPT_[0-9]{1,6}")) {
                javaOptions.put(Integer.parseInt(name.substring("SPARK_JAVA_OPT_".length())), value);
            }
        });
        command.addAll(javaOptions.values());
        String memory = environment.get("SPARK_EXECUTOR_MEMORY");
        command.add("-Xms" + memory);
        command.add("-Xmx" + memory);
        List<String> classPath = new ArrayList<>();
        for (String name : List.of("SPARK_CONF_DIR", "HADOOP_CONF_DIR", "SPARK_CLASSPATH")) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                classPath.add(value);
            }
        }
        classPath.add(SparkSettings.PLATFORM_JARS);
        classPath.add(environment.getOrDefault("SPARK_HOME", "/opt/spark") + "/jars/*");
        command.add("-cp");
        command.add(String.join(":", classPath));
        command.add(EXECUTOR_BACKEND);
        command.addAll(List.of(
                "--driver-url", environment.get("SPARK_DRIVER_URL"),
                "--executor-id", environment.get("SPARK_EXECUTOR_ID"),
                "--cores", environment.get("SPARK_EXECUTOR_CORES"),
                "--app-id", environment.get("SPARK_APPLICATION_ID"),
                "--hostname", environment.get("SPARK_EXECUTOR_POD_IP"),
                "--resourceProfileId", environment.getOrDefault("SPARK_RESOURCE_PROFILE_ID", "0"),
                "--podName", environment.getOrDefault("SPARK_EXECUTOR_POD_NAME", "")));
        return command;
    }
}
