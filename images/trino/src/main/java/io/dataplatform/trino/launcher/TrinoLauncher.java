package io.dataplatform.trino.launcher;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.dataplatform.hadoop.config.ClientConfiguration;
import io.dataplatform.hadoop.config.ConfigurationDirectory;
import io.dataplatform.hadoop.config.ConfigurationException;
import io.dataplatform.hadoop.config.Lakehouse;
import io.dataplatform.launcher.Launcher;

/**
 * The image's entry point, in place of Trino's Python launcher: derives the node's configuration from the
 * environment (role, node id, discovery URI) and the mounted files, writes it, then runs {@code TrinoServer} in
 * this JVM, so the JVM flags of the image's entrypoint are the server's and signals reach it directly.
 *
 * <p>Role: the first argument or {@code TRINO_ROLE}: {@code coordinator} (schedules, no splits when workers
 * exist), {@code worker}, or {@code single} (coordinator that also runs splits; the default).
 */
public final class TrinoLauncher {
    private TrinoLauncher() {}

    public static void main(String[] args) throws Throwable {
        Map<String, String> environment = System.getenv();
        NodeConfiguration node;
        Security security;
        try {
            node = NodeConfiguration.from(args.length > 0 ? args[0] : null, environment, TrinoLauncher::hostName);
            security = Security.from(node.role(), environment);
        }
        catch (IllegalArgumentException e) {
            refuse(e.getMessage().lines().toList());
            return;
        }
        prepareHadoopClient(environment);
        if (security.kerberos().isPresent() && !Files.exists(Security.KRB5_CONF)) {
            refuse(List.of("TRINO_KERBEROS_KEYTAB needs the Kerberos client files, which the HDFS client "
                    + "configuration renders: set HDFS_NAMENODE, KERBEROS_REALM and KERBEROS_KDC"));
        }
        prepareCatalogs(node, environment);
        Path directory = node.workDirectory();
        Files.createDirectories(node.dataDirectory());
        Path config = directory.resolve("config.properties");
        security.prepare(directory);
        if (security.kerberos().isPresent()) {
            // Trino's SPNEGO authenticator sets the JVM's Kerberos configuration to its own and refuses any other one
            // already set (the HDFS client's, above): one file for both, the platform's without canonicalisation.
            System.setProperty("java.security.krb5.conf", Security.krb5Conf(directory).toString());
        }
        Files.writeString(config, node.configProperties(readUserConfig(node.userConfig()),
                security.properties(directory)));
        security.tlsDirectory().ifPresent(tls -> System.out.printf(
                "platform launcher: HTTPS on %d with the certificate of %s%n", security.httpsPort(), tls));
        security.kerberos().ifPresent(kerberos -> System.out.println(
                "platform launcher: Kerberos clients (SPNEGO) authenticated as " + kerberos.principal()));
        security.oidcIssuer().ifPresent(issuer -> System.out.println(
                "platform launcher: users authenticated by OAuth2/OIDC at " + issuer));
        Optional<String> accessControl = node.accessControlProperties();
        if (accessControl.isPresent()) {
            Files.writeString(node.accessControlFile(), accessControl.get());
            System.out.println("platform launcher: access control by OPA at " + node.opaUrl().orElseThrow());
        }

        System.setProperty("config", config.toString());
        node.systemProperties().forEach(System::setProperty);
        System.out.printf("platform launcher: %s node %s, discovery %s, config %s%n", node.role().label(),
                node.nodeId(), node.discoveryUri(), config);

        // Looked up reflectively: the launcher is compiled without Trino on its class path.
        Class<?> server = Class.forName("io.trino.server.TrinoServer");
        MethodHandles.publicLookup()
                .findStatic(server, "main", MethodType.methodType(void.class, String[].class))
                .invoke((Object) new String[0]);
    }

    /**
     * The platform's HDFS and Kerberos client files, for catalogs on HDFS ({@code hive.config.resources} =
     * /run/hadoop/conf/core-site.xml,/run/hadoop/conf/hdfs-site.xml): rendered when the environment names a NameNode
     * ({@code HDFS_NAMENODE}) or when files are mounted in /etc/hadoop/conf; otherwise there are none.
     */
    private static void prepareHadoopClient(Map<String, String> environment) {
        try {
            ClientConfiguration.prepareForThisProcess(environment, ConfigurationDirectory.RUNTIME)
                    .forEach(line -> System.out.println("platform launcher: hadoop " + line));
        }
        catch (ConfigurationException e) {
            refuse(e.problems());
        }
    }

    /**
     * The catalog directory: the mounted catalogs, plus the platform's Iceberg catalog ({@code lakehouse}) rendered
     * from the LAKEHOUSE_* variables Spark renders its side from; a mounted lakehouse.properties wins.
     */
    private static void prepareCatalogs(NodeConfiguration node, Map<String, String> environment) {
        try {
            Lakehouse.prepareTrinoCatalogs(environment, node.mountedCatalogs(), node.catalogDirectory())
                    .forEach(line -> System.out.println("platform launcher: catalog " + line));
        }
        catch (ConfigurationException e) {
            refuse(e.problems());
        }
    }

    /** Reports the problems that stop Trino from starting, and exits. */
    private static void refuse(List<String> problems) {
        System.exit(Launcher.refuse("platform launcher", problems, "Trino was not started", System.err));
    }

    private static String readUserConfig(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (IOException e) {
            return "trino";
        }
    }
}
