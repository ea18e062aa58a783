package io.dataplatform.hadoop.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.dataplatform.hadoop.config.ConfigurationDirectory;
import io.dataplatform.hadoop.config.ConfigurationException;
import io.dataplatform.hadoop.config.Variables;
import io.dataplatform.launcher.Launcher;
import io.dataplatform.launcher.Mounts;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.server.common.HdfsServerConstants.StartupOption;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.hdfs.server.namenode.NameNode;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;

/**
 * Entry point of the Hadoop image: {@code namenode} or {@code datanode} (argument, or {@code HADOOP_ROLE}).
 * Renders the configuration from the environment into {@code HADOOP_CONF_DIR}, checks that the keytab and the
 * keystore it names are there, formats a NameNode on its first start, then runs the daemon in this JVM (logs on
 * stdout, TERM stops it through Hadoop's shutdown hooks).
 */
public final class HadoopLauncher {
    enum Role { NAMENODE, DATANODE }

    /** Written next to the configuration at start: which daemon this container runs (read by the health check). */
    static final String ROLE_FILE = "daemon.role";

    private HadoopLauncher() {}

    public static void main(String[] args) throws Exception {
        int status = prepare(args, System.getenv(), ConfigurationDirectory.MOUNTED, configurationDirectory());
        if (status != 0) {
            System.exit(status);
        }
        Role role = role(args, System.getenv());
        if (role == Role.NAMENODE) {
            formatOnFirstStart(new HdfsConfiguration());
            NameNode.main(new String[0]);
        }
        else {
            DataNode.main(new String[0]);
        }
    }

    /**
     * Everything before the daemon starts; returns the exit status (0 to go on). Problems are printed to stderr,
     * each naming what is wrong and where; nothing is written then.
     */
    static int prepare(String[] args, Map<String, String> environment, Path mounted, Path output) {
        Role role;
        try {
            role = role(args, environment);
        }
        catch (IllegalArgumentException e) {
            System.err.println("hadoop: " + e.getMessage());
            return 2;
        }
        String notStarted = "the " + Launcher.label(role) + " was not started";
        List<String> report;
        try {
            Variables variables = ServerConfiguration.variables(environment);
            report = ConfigurationDirectory.prepare(ServerConfiguration.templates(variables), variables, mounted,
                    output);
        }
        catch (ConfigurationException e) {
            return Launcher.refuse("hadoop", e.problems(), notStarted, System.err);
        }
        report.forEach(line -> System.out.println("hadoop: " + line));
        ConfigurationDirectory.write(Map.of(ROLE_FILE, (role.name() + "\n").getBytes(StandardCharsets.UTF_8)), output);
        System.setProperty("java.security.krb5.conf", output.resolve("krb5.conf").toString());
        // hdfs-default.xml and hdfs-site.xml first, so that the server file added after them wins.
        HdfsConfiguration.init();
        Configuration.addDefaultResource(ServerConfiguration.SERVER_RESOURCE);

        // What the daemon will read, from the prepared directory itself (it is the class path's first entry).
        Configuration configuration = ServerConfiguration.load(output);
        String keytabKey = role == Role.NAMENODE
                ? DFSConfigKeys.DFS_NAMENODE_KEYTAB_FILE_KEY : DFSConfigKeys.DFS_DATANODE_KEYTAB_FILE_KEY;
        Configuration ssl = new Configuration(false);
        ssl.addResource(new org.apache.hadoop.fs.Path(output.resolve(configuration.get(
                DFSConfigKeys.DFS_SERVER_HTTPS_KEYSTORE_RESOURCE_KEY, "ssl-server.xml")).toUri()));
        List<String> problems = Stream.of(
                Mounts.readableFile(configuration.get(keytabKey), "the keytab (" + keytabKey + ", HDFS_KEYTAB)"),
                Mounts.readableFile(ssl.get("ssl.server.keystore.location"),
                        "the HTTPS keystore (ssl.server.keystore.location, HADOOP_SSL_KEYSTORE)"))
                .flatMap(Optional::stream).toList();
        if (!problems.isEmpty()) {
            return Launcher.refuse("hadoop", problems, notStarted, System.err);
        }
        return 0;
    }

    static Role role(String[] args, Map<String, String> environment) {
        return Launcher.role(Role.class, args.length > 0 ? args[0] : environment.getOrDefault("HADOOP_ROLE", ""),
                "argument or HADOOP_ROLE");
    }

    /** Formats the namespace if no metadata directory holds one; a restart keeps the existing namespace. */
    private static void formatOnFirstStart(Configuration configuration) throws IOException {
        var directories = configuration.getTrimmedStringCollection(DFSConfigKeys.DFS_NAMENODE_NAME_DIR_KEY);
        boolean formatted = directories.stream()
                .map(directory -> Path.of(directory.replaceFirst("^file://", "")))
                .anyMatch(directory -> Files.exists(directory.resolve("current/VERSION")));
        if (formatted) {
            System.out.println("hadoop: the namespace in " + directories + " exists; not formatting");
            return;
        }
        String clusterId = System.getenv("HDFS_CLUSTER_ID");
        if (clusterId != null && !clusterId.isBlank()) {
            StartupOption.FORMAT.setClusterId(clusterId.strip());
        }
        System.out.println("hadoop: formatting a new namespace in " + directories);
        NameNode.format(configuration);
        // Formatting registered the namesystem's metrics sources; the NameNode registers them again in this JVM.
        DefaultMetricsSystem.shutdown();
    }

    private static Path configurationDirectory() {
        String directory = System.getenv("HADOOP_CONF_DIR");
        return directory == null || directory.isBlank() ? ConfigurationDirectory.RUNTIME : Path.of(directory);
    }
}
