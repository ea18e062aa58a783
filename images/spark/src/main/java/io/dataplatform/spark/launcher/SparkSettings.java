package io.dataplatform.spark.launcher;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import io.dataplatform.hadoop.config.ClientConfiguration;
import io.dataplatform.hadoop.config.ConfigurationException;
import io.dataplatform.hadoop.config.Lakehouse;
import io.dataplatform.hadoop.config.Setting;
import io.dataplatform.launcher.Mounts;

/**
 * The Spark configuration ({@code spark-defaults.conf}) a container starts with, from three layers, later ones
 * winning: the platform's defaults, settings derived from the environment (the lakehouse catalog, the driver's
 * address, event logs, the Kerberos identity, what executors need to render the same HDFS client files), and the
 * {@code spark-defaults.conf} mounted in /etc/spark/conf, if any.
 */
final class SparkSettings {
    static final Path MOUNTED = Path.of("/etc/spark/conf");
    static final String DEFAULTS_FILE = "spark-defaults.conf";
    static final String PLATFORM_JARS = "/opt/spark/platform/*";

    /** The platform's defaults: the lessons of running Spark for many teams, kept in one place. */
    static final Map<String, String> PLATFORM_DEFAULTS = platformDefaults();

    /**
     * Environment → setting for drivers on Kubernetes: the executor image (pinned in the team's spark-defaults
     * ConfigMap), the executors' service account, and the driver pod's namespace and name from the downward API (the
     * executors are owned by the driver pod, so Kubernetes removes them when the driver's pod goes).
     */
    static final Map<String, String> KUBERNETES = Map.of(
            "SPARK_EXECUTOR_IMAGE", "spark.kubernetes.container.image",
            "SPARK_KUBERNETES_SERVICE_ACCOUNT", "spark.kubernetes.authenticate.executor.serviceAccountName",
            "POD_NAMESPACE", "spark.kubernetes.namespace",
            "POD_NAME", "spark.kubernetes.driver.pod.name",
            // A fraction of a core per executor pod (Spark asks for spark.executor.cores whole cores otherwise).
            "SPARK_EXECUTOR_REQUEST_CORES", "spark.kubernetes.executor.request.cores");

    /** The label by which a driver's supervisor finds its executor pods (its pod name). */
    static final String DRIVER_POD_LABEL = "platform.io/spark-driver-pod";
    /** Spark takes volumes named spark-local-dir-* as the executors' local (scratch) directories. */
    static final String SCRATCH_VOLUME = "spark.kubernetes.executor.volumes.hostPath.spark-local-dir-1.";

    private SparkSettings() {}

    private static Map<String, String> platformDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        // Progress lines in the driver's stdout (the Airflow task log) and a lineage record per statement.
        defaults.put("spark.extraListeners",
                "io.dataplatform.spark.ProgressListener,io.dataplatform.spark.LineageListener");
        // Executors of a standalone cluster get the driver's HDFS delegation tokens (Kubernetes: Spark's own).
        defaults.put("spark.plugins", "io.dataplatform.spark.HdfsTokensPlugin");
        defaults.put("spark.executor.extraClassPath", PLATFORM_JARS);
        // The console progress bar garbles a task log; the listener's lines replace it.
        defaults.put("spark.ui.showConsoleProgress", "false");
        // Tables live in the lakehouse catalog (Iceberg), not in a Hive metastore.
        defaults.put("spark.sql.catalogImplementation", "in-memory");
        defaults.put("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        // Netty buffers, Parquet/ORC writers and the JVM itself live outside the heap: 10 % (Spark's default) is
        // what most OOM kills of executor pods came from.
        defaults.put("spark.executor.memoryOverheadFactor", "0.2");
        defaults.put("spark.executor.minMemoryOverhead", "512m");
        // Standalone workers remove the directories of finished applications.
        defaults.put("spark.worker.cleanup.enabled", "true");
        return Map.copyOf(defaults);
    }

    /** Spark's own traffic authenticated (no SASL fallback), RPC encrypted, shuffle and spill files encrypted. */
    private static void authenticateAndEncrypt(Map<String, String> settings) {
        settings.put("spark.authenticate", "true");
        settings.put("spark.network.crypto.enabled", "true");
        settings.put("spark.network.crypto.saslFallback", "false");
        settings.put("spark.io.encryption.enabled", "true");
    }

    /**
     * The whole configuration for {@code role}. {@code address} is this container's IP (the driver advertises it:
     * DNS names of many short-lived drivers are what broke under load).
     *
     * @throws ConfigurationException naming every missing or malformed variable
     */
    static Map<String, String> resolve(Role role, Map<String, String> environment, String address, Path mounted) {
        Map<String, String> settings = new TreeMap<>(PLATFORM_DEFAULTS);
        List<String> problems = new ArrayList<>();
        if (Lakehouse.configured(environment)) {
            try {
                settings.putAll(properties(Lakehouse.spark().render(Lakehouse.variables(environment))));
            }
            catch (ConfigurationException e) {
                problems.addAll(e.problems());
            }
        }
        String master = environment.get("SPARK_MASTER_URL");
        if (role == Role.MASTER || role == Role.WORKER
                || role.drivesApplications() && master != null && master.strip().startsWith("spark://")) {
            // A standalone cluster's own traffic: master, workers, drivers and the executors workers start all hold
            // the cluster's secret (workers hand it to their executors); nothing else may talk to them, so the HDFS
            // tokens a driver hands out (HdfsTokensPlugin) reach only executors of the cluster. RPC encrypted,
            // shuffle and spill files encrypted.
            String secret = environment.get("SPARK_AUTHENTICATE_SECRET");
            if (secret == null || secret.isBlank()) {
                problems.add("SPARK_AUTHENTICATE_SECRET is not set (the standalone cluster's shared secret: the same "
                        + "on its master, workers and drivers, from a Secret)");
            }
            else {
                authenticateAndEncrypt(settings);
                settings.put("spark.authenticate.secret", secret.strip());
                // The master's REST submission server cannot authenticate (Spark refuses to start it so): off.
                settings.put("spark.master.rest.enabled", "false");
            }
        }
        if (role.drivesApplications()) {
            settings.put("spark.driver.host", address);
            settings.put("spark.driver.bindAddress", address);
            if (master != null && !master.isBlank()) {
                settings.put("spark.master", master.strip());
                if (master.strip().startsWith("k8s://")) {
                    // The driver's own traffic on Kubernetes: only executors holding this application's secret
                    // (Spark generates it and hands it to the executor pods it creates) may talk to the driver,
                    // RPC encrypted (AES-GCM), shuffle and spill files encrypted on the node's disks.
                    authenticateAndEncrypt(settings);
                }
            }
            // Spark on Kubernetes (client mode): the team's spark-defaults ConfigMap and the downward API.
            KUBERNETES.forEach((variable, setting) -> {
                String value = environment.get(variable);
                if (value != null && !value.isBlank()) {
                    settings.put(setting, value.strip());
                }
            });
            String pod = environment.get("POD_NAME");
            if (pod != null && !pod.isBlank()) {
                settings.put("spark.kubernetes.executor.label." + DRIVER_POD_LABEL, pod.strip());
            }
            // The executors' scratch space on the node (the HDFS data disks), mounted at the same path.
            String scratch = environment.get("SPARK_SCRATCH_HOST_PATH");
            if (scratch != null && !scratch.isBlank()) {
                settings.put(SCRATCH_VOLUME + "mount.path", scratch.strip());
                settings.put(SCRATCH_VOLUME + "options.path", scratch.strip());
                settings.put(SCRATCH_VOLUME + "options.type", "Directory");
            }
            String principal = environment.get("KERBEROS_PRINCIPAL");
            String keytab = environment.get("KERBEROS_KEYTAB");
            if (principal != null && !principal.isBlank()) {
                if (keytab == null || keytab.isBlank()) {
                    problems.add("KERBEROS_KEYTAB is not set (the keytab of KERBEROS_PRINCIPAL " + principal + ")");
                }
                else {
                    Mounts.readableFile(keytab, "the keytab (KERBEROS_KEYTAB)").ifPresent(problems::add);
                }
                settings.put("spark.kerberos.principal", principal.strip());
                settings.put("spark.kerberos.keytab", keytab == null ? "" : keytab.strip());
            }
            else if (ticketCache(environment).isPresent()) {
                // A person's driver (a notebook): the identity is the ticket kinit put in KRB5CCNAME, and Spark
                // renews the executors' HDFS tokens from that cache for as long as the person renews the ticket.
                settings.put("spark.kerberos.renewal.credentials", "ccache");
            }
            // Kubernetes executors render the same HDFS/Kerberos client files from the same variables.
            for (Setting setting : ClientConfiguration.SETTINGS) {
                String value = environment.get(setting.name());
                if (value != null && !value.isBlank()) {
                    settings.put("spark.executorEnv." + setting.name(), value.strip());
                }
            }
        }
        String eventLogs = environment.get("SPARK_EVENT_LOG_DIR");
        if (eventLogs != null && !eventLogs.isBlank()) {
            settings.put("spark.eventLog.enabled", "true");
            settings.put("spark.eventLog.dir", eventLogs.strip());
            settings.put("spark.eventLog.compress", "true");
            settings.put("spark.eventLog.rolling.enabled", "true");
            settings.put("spark.history.fs.logDirectory", eventLogs.strip());
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        Path file = mounted.resolve(DEFAULTS_FILE);
        if (Files.isRegularFile(file)) {
            try {
                settings.putAll(properties(Files.readString(file, StandardCharsets.UTF_8)));
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return settings;
    }

    /**
     * The ticket cache a driver without KERBEROS_PRINCIPAL takes its identity from: KRB5CCNAME, when the container is
     * a Kerberos client (KERBEROS_REALM) — a person's driver, e.g. a notebook's after {@code kinit}.
     */
    static java.util.Optional<String> ticketCache(Map<String, String> environment) {
        String realm = environment.get("KERBEROS_REALM");
        String cache = environment.get("KRB5CCNAME");
        if (realm == null || realm.isBlank() || cache == null || cache.isBlank()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(cache.strip());
    }

    /** The file's text: one {@code key=value} line per setting, in Properties syntax. */
    static String render(Map<String, String> settings) {
        StringBuilder text = new StringBuilder("# Written by the platform launcher at start; mount "
                + MOUNTED.resolve(DEFAULTS_FILE) + " to override a setting.\n");
        settings.forEach((key, value) -> text.append(escape(key, true)).append('=').append(escape(value, false))
                .append('\n'));
        return text.toString();
    }

    private static String escape(String text, boolean key) {
        StringBuilder escaped = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                case '=', ':', '#', '!' -> escaped.append(key || i == 0 ? "\\" + c : String.valueOf(c));
                case ' ' -> escaped.append(key || i == 0 ? "\\ " : " ");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    static Map<String, String> properties(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> map = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name).strip()));
        return map;
    }
}
