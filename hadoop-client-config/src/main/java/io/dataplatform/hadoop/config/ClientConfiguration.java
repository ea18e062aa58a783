package io.dataplatform.hadoop.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.dataplatform.hadoop.config.Setting.optional;
import static io.dataplatform.hadoop.config.Setting.required;

/**
 * The platform's HDFS and Kerberos client configuration: {@code core-site.xml}, {@code hdfs-site.xml} and
 * {@code krb5.conf}, rendered from these environment variables. Every image that talks to HDFS uses it.
 */
public final class ClientConfiguration {
    static final String HOST = "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*";
    static final String PORT = "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";
    public static final String HOST_PORT = HOST + ":" + PORT;
    static final String PROTECTION = "authentication|integrity|privacy";

    public static final List<Setting> SETTINGS = List.of(
            required("KERBEROS_REALM", "[A-Z0-9][A-Z0-9.-]*",
                    "the Kerberos realm in upper case, e.g. PLATFORM.EXAMPLE"),
            required("KERBEROS_KDC", HOST_PORT + "(," + HOST_PORT + ")*",
                    "the KDCs as host:port, comma-separated, e.g. kdc1.example:88,kdc2.example:88"),
            required("HDFS_NAMENODE", HOST_PORT,
                    "the NameNode's RPC address as host:port, e.g. namenode.example:8020"),
            optional("HDFS_NAMENODE_HTTPS_PORT", "9871", PORT, "the NameNode's HTTPS (web UI, WebHDFS) port"),
            optional("HDFS_REPLICATION", "3", "[1-9]", "the replication of new files, 1 to 9"),
            optional("HADOOP_RPC_PROTECTION", "privacy", PROTECTION,
                    "the SASL protection of Hadoop RPC: authentication, integrity or privacy"),
            optional("HDFS_DATA_TRANSFER_PROTECTION", "privacy", PROTECTION,
                    "the SASL protection of block transfers: authentication, integrity or privacy"));

    private ClientConfiguration() {}

    /** The client variables read from {@code environment}, with the derived ones the templates use. */
    public static Variables variables(Map<String, String> environment) {
        return new Variables(environment).read(SETTINGS)
                .derive("KERBEROS_KDC_ENTRIES", "KERBEROS_KDC", kdcs -> Arrays.stream(kdcs.split(","))
                        .map(kdc -> "    kdc = " + kdc)
                        .collect(Collectors.joining("\n")))
                .derive("HDFS_NAMENODE_HOST", "HDFS_NAMENODE", address -> address.substring(0, address.indexOf(':')));
    }

    public static List<Template> templates() {
        return List.of(
                Template.resource(ClientConfiguration.class, "core-site.xml"),
                Template.resource(ClientConfiguration.class, "hdfs-site.xml"),
                Template.resource(ClientConfiguration.class, "krb5.conf"));
    }

    /**
     * Prepares a client's configuration directory: the client templates from {@code environment}, or the files
     * mounted in {@code mounted}.
     */
    public static List<String> prepare(Map<String, String> environment, Path mounted, Path output) {
        return ConfigurationDirectory.prepare(templates(), variables(environment), mounted, output);
    }

    /**
     * For a client image's launcher: prepares {@code output} when the container talks to HDFS (the environment names
     * a NameNode, or files are mounted in /etc/hadoop/conf) and points this JVM's Kerberos at the rendered
     * krb5.conf. Returns the report lines; none when the container has no HDFS client.
     */
    public static List<String> prepareForThisProcess(Map<String, String> environment, Path output) {
        if (!environment.containsKey("HDFS_NAMENODE") && !Files.isDirectory(ConfigurationDirectory.MOUNTED)) {
            return List.of();
        }
        List<String> report = prepare(environment, ConfigurationDirectory.MOUNTED, output);
        System.setProperty("java.security.krb5.conf", output.resolve("krb5.conf").toString());
        return report;
    }
}
