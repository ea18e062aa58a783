package io.dataplatform.spark.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.dataplatform.hadoop.config.ClientConfiguration;
import io.dataplatform.hadoop.config.ConfigurationDirectory;
import io.dataplatform.hadoop.config.ConfigurationException;
import io.dataplatform.launcher.Launcher;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * Entry point of the Spark image. The first argument is the role ({@link Role}): {@code submit} and {@code sql}
 * (client-mode drivers), {@code executor} (Kubernetes), {@code master} and {@code worker} (standalone). Before
 * Spark starts it writes the HDFS/Kerberos client files (when HDFS_NAMENODE is set or files are mounted in
 * /etc/hadoop/conf) and {@code spark-defaults.conf} ({@link SparkSettings}); a driver with KERBEROS_PRINCIPAL logs in
 * from KERBEROS_KEYTAB. Drivers, masters and workers run in this JVM; an executor gets the JVM its scheduler asked
 * for. Bad input is reported line by line on stderr, nothing is started, the exit status is non-zero.
 */
public final class SparkEntrypoint {
    static final String ROLE_FILE = "role";
    private static final String USAGE = """
            usage: <image> submit [spark-submit arguments]          a client-mode driver
                   <image> sql [spark-submit options] (-f file.sql | -e "statement")... [--max-rows N]
                   <image> master                                     a standalone master (7077, UI 8080)
                   <image> worker [spark://master:7077]               a standalone worker (UI 8081)
                   <image> executor                                   a Kubernetes executor (set by Spark)""";

    private SparkEntrypoint() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            System.out.println(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        Map<String, String> environment = System.getenv();
        Role role;
        String address = address(environment);
        Path sparkConf = directory(environment, "SPARK_CONF_DIR", "/run/spark/conf");
        try {
            role = Role.of(args[0]);
            prepareHadoopClient(environment);
            // An executor's settings come from its driver; SPARK_CONF_DIR is then Spark's own read-only ConfigMap
            // mount (/opt/spark/conf), which goes on its class path as it is.
            if (role != Role.EXECUTOR) {
                prepareSparkConf(role, environment, address, sparkConf);
            }
        }
        catch (IllegalArgumentException e) {
            System.err.println("spark: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        catch (ConfigurationException e) {
            System.exit(Launcher.refuse("spark", e.problems(), "the " + args[0] + " was not started", System.err));
            return;
        }
        System.setProperty("spark.platform.log.level", environment.getOrDefault("SPARK_LOG_LEVEL",
                role.drivesApplications() ? "WARN" : "INFO"));
        System.out.println("spark: " + role.label() + " on " + address);
        try {
            switch (role) {
                case MASTER -> org.apache.spark.deploy.master.Master.main(Commands.master(address, environment));
                case WORKER -> org.apache.spark.deploy.worker.Worker.main(Commands.worker(args, address, environment));
                case SUBMIT, SQL -> {
                    if (DriverSupervisor.applies(environment)) {
                        System.exit(DriverSupervisor.run(environment));
                    }
                    String[] submit = Commands.submit(role, args);
                    try {
                        login(environment);
                    }
                    catch (ConfigurationException e) {
                        System.exit(Launcher.refuse("spark", e.problems(), "the " + args[0] + " was not started",
                                System.err));
                        return;
                    }
                    org.apache.spark.deploy.SparkSubmit.main(submit);
                    System.exit(0);
                }
                case EXECUTOR -> System.exit(runExecutor(environment));
            }
        }
        catch (IllegalArgumentException e) {
            System.err.println("spark: " + e.getMessage());
            System.exit(2);
        }
    }

    /** The HDFS/Kerberos client files, for containers that talk to HDFS. */
    private static void prepareHadoopClient(Map<String, String> environment) {
        Path output = directory(environment, "HADOOP_CONF_DIR", ConfigurationDirectory.RUNTIME.toString());
        ClientConfiguration.prepareForThisProcess(environment, output)
                .forEach(line -> System.out.println("spark: hadoop " + line));
    }

    /**
     * spark-defaults.conf, log4j2.properties (unless mounted) and the other files mounted in /etc/spark/conf; all
     * resolved before anything is written.
     */
    static void prepareSparkConf(Role role, Map<String, String> environment, String address, Path output) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        Map<String, String> settings = SparkSettings.resolve(role, environment, address, SparkSettings.MOUNTED);
        files.put(SparkSettings.DEFAULTS_FILE, SparkSettings.render(settings).getBytes(StandardCharsets.UTF_8));
        files.put("log4j2.properties", resource("log4j2.properties"));
        if (Files.isDirectory(SparkSettings.MOUNTED)) {
            try (Stream<Path> mounted = Files.list(SparkSettings.MOUNTED)) {
                for (Path file : mounted.filter(Files::isRegularFile)
                        .filter(file -> !file.getFileName().toString().startsWith("."))
                        .filter(file -> !file.getFileName().toString().equals(SparkSettings.DEFAULTS_FILE))
                        .sorted().toList()) {
                    files.put(file.getFileName().toString(), Files.readAllBytes(file));
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot read " + SparkSettings.MOUNTED, e);
            }
        }
        files.put(ROLE_FILE, (role.label() + "\n").getBytes(StandardCharsets.UTF_8));
        ConfigurationDirectory.write(files, output);
    }

    /**
     * A driver with KERBEROS_PRINCIPAL logs in from its keytab before Spark starts (spark-submit does not on a
     * standalone cluster; on Kubernetes Spark's token manager takes over from this login); a person's driver without
     * one, from the ticket in KRB5CCNAME ({@link SparkSettings#ticketCache}), refused when there is none.
     */
    private static void login(Map<String, String> environment) throws IOException {
        String principal = environment.get("KERBEROS_PRINCIPAL");
        boolean fromKeytab = principal != null && !principal.isBlank();
        Optional<String> cache = fromKeytab ? Optional.empty() : SparkSettings.ticketCache(environment);
        if (!fromKeytab && cache.isEmpty()) {
            return;
        }
        UserGroupInformation.setConfiguration(new Configuration());
        if (fromKeytab) {
            UserGroupInformation.loginUserFromKeytab(principal.strip(), environment.get("KERBEROS_KEYTAB").strip());
        }
        UserGroupInformation user = UserGroupInformation.getLoginUser();
        if (!user.hasKerberosCredentials()) {
            throw new ConfigurationException(List.of("no Kerberos ticket in " + cache.orElseThrow() + " (KRB5CCNAME), "
                    + "and no KERBEROS_PRINCIPAL: run `kinit <you>@" + environment.get("KERBEROS_REALM").strip()
                    + "` first, or set KERBEROS_PRINCIPAL and KERBEROS_KEYTAB"));
        }
        System.out.println("spark: logged in to Kerberos as " + user.getUserName()
                + cache.map(path -> " (ticket cache " + path + ")").orElse(""));
    }

    /** Runs the executor JVM the Kubernetes scheduler asked for; TERM to this JVM stops it too. */
    private static int runExecutor(Map<String, String> environment) throws IOException, InterruptedException {
        List<String> command = Commands.executor(environment, System.getProperty("java.home"));
        // Its working directory receives the application's files (spark.jars, --files): never the image's
        // /opt/spark, which the image user cannot write.
        Path work = Path.of(environment.getOrDefault("SPARK_WORK_DIR", "/tmp/spark-work"));
        Files.createDirectories(work);
        Process executor = new ProcessBuilder(command).directory(work.toFile()).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            executor.destroy();
            try {
                executor.waitFor();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        return executor.waitFor();
    }

    /**
     * The address this container is reached at: SPARK_DRIVER_HOST, POD_IP (Kubernetes' downward API) or
     * SPARK_LOCAL_IP if set, else the first non-loopback IPv4 address of the container's interfaces.
     */
    static String address(Map<String, String> environment) {
        for (String name : List.of("SPARK_DRIVER_HOST", "POD_IP", "SPARK_LOCAL_IP")) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        try {
            return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                    .filter(SparkEntrypoint::up)
                    .sorted(Comparator.comparingInt(NetworkInterface::getIndex))
                    .flatMap(network -> Collections.list(network.getInetAddresses()).stream())
                    .filter(address -> address instanceof Inet4Address)
                    .filter(address -> !address.isLoopbackAddress() && !address.isLinkLocalAddress())
                    .map(InetAddress::getHostAddress)
                    .findFirst()
                    .orElse(InetAddress.getLocalHost().getHostAddress());
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot find this container's address", e);
        }
    }

    private static boolean up(NetworkInterface network) {
        try {
            return network.isUp() && !network.isLoopback();
        }
        catch (IOException e) {
            return false;
        }
    }

    private static Path directory(Map<String, String> environment, String name, String fallback) {
        String value = environment.get(name);
        return Path.of(value == null || value.isBlank() ? fallback : value);
    }

    private static byte[] resource(String name) {
        try (InputStream input = SparkEntrypoint.class.getResourceAsStream(name)) {
            if (input == null) {
                throw new IllegalStateException("no resource " + name + " next to " + SparkEntrypoint.class);
            }
            return input.readAllBytes();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
