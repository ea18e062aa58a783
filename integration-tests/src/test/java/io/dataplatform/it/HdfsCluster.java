package io.dataplatform.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivilegedExceptionAction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.dataplatform.hadoop.config.ClientConfiguration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.security.UserGroupInformation;
import org.testcontainers.lifecycle.Startables;

/**
 * A secured HDFS from the platform's images: the development KDC, a NameNode and two DataNodes (replication 2), on
 * a {@link PlatformNetwork}. Keytabs come from the KDC; the HTTPS keystore is made here, at test time. The test JVM
 * is a client configured by the platform's client configuration module, as every image is.
 */
final class HdfsCluster implements AutoCloseable {
    static final String REALM = "PLATFORM.TEST";
    static final String NAMENODE = PlatformNetwork.fqdn("namenode");
    static final String KDC = PlatformNetwork.fqdn("kdc") + ":" + KdcContainer.KDC_PORT;
    static final String KEYSTORE_PASSWORD = "hdfs-test-tls";
    /** User → groups, for the NameNode's static mapping. */
    static final String USER_GROUPS = "alice=analysts;bob=marketing;";

    private static final List<String> DATANODES = List.of("datanode1", "datanode2");
    /** The cluster's principals in realm on network: service and HTTP principals per host, then users. */
    private static String principals(PlatformNetwork network, String realm, String users) {
        StringBuilder principals = new StringBuilder("realm " + realm + "\n");
        principals.append("# one keytab per host: its service principal and its HTTP principal (SPNEGO)\n");
        principals.append("nn/").append(network.name("namenode")).append(" keytab=namenode.keytab\n");
        principals.append("HTTP/").append(network.name("namenode")).append(" keytab=namenode.keytab\n");
        for (String datanode : DATANODES) {
            principals.append("dn/").append(network.name(datanode)).append(" keytab=").append(datanode).append(".keytab\n");
            principals.append("HTTP/").append(network.name(datanode)).append(" keytab=").append(datanode).append(".keytab\n");
        }
        return principals.append("# the superuser (the NameNode runs as hdfs) and users\nhdfs keytab=hdfs.keytab\n")
                .append(users).toString();
    }

    private static final String TEST_USERS = """
            trino/trino.platform.test keytab=trino.keytab
            alice keytab=alice.keytab
            bob keytab=bob.keytab
            carol keytab=carol.keytab
            # a team's scheduled Spark jobs
            etl keytab=etl.keytab
            """;

    final Path directory;
    final Path keytabs;
    final Path ssl;
    final Path clientConfiguration;
    final PlatformNetwork network;
    final String realm;
    final KdcContainer kdc;
    final HadoopContainer namenode;
    final List<HadoopContainer> datanodes;
    private final PlatformImage hadoopImage;
    private final Configuration configuration;

    private HdfsCluster(Path directory, PlatformNetwork network, String realm, String users)
            throws Exception {
        this.directory = directory;
        this.network = network;
        this.realm = realm;
        keytabs = Files.createDirectories(directory.resolve("keytabs"));
        // The KDC runs as uid 1000 and writes the keytabs here.
        Files.setPosixFilePermissions(keytabs, PosixFilePermissions.fromString("rwxrwxrwx"));
        ssl = Files.createDirectories(directory.resolve("ssl"));
        makeKeystore(ssl.resolve("keystore.p12"), network);
        clientConfiguration = directory.resolve("client-conf");
        ClientConfiguration.prepare(environment(), directory.resolve("no-mounts"), clientConfiguration);

        kdc = network.attach(new KdcContainer(PlatformImage.of("kdc"), realm, principals(network, realm, users)), "kdc")
                .withKeytabDirectory(keytabs);
        hadoopImage = PlatformImage.of("hadoop");
        namenode = daemon("namenode", "namenode");
        datanodes = DATANODES.stream().map(host -> daemon("datanode", host)).toList();

        configuration = new HdfsConfiguration();
        for (String file : List.of("core-site.xml", "hdfs-site.xml")) {
            configuration.addResource(new org.apache.hadoop.fs.Path(clientConfiguration.resolve(file).toUri()));
        }
        // Small blocks, so that a few megabytes span several blocks (and both DataNodes).
        configuration.setLong("dfs.blocksize", 1024 * 1024);
        // A stopped DataNode's address stops answering; give up on it after 5 s rather than Hadoop's 60.
        configuration.setInt("dfs.client.socket-timeout", 5000);
        // The test JVM is a client of this cluster (one Kerberos configuration per JVM: the last one started).
        useAsJvmClient();
    }

    /** The tests' HDFS ({@link PlatformNetwork#DOMAIN}, {@link #REALM}), with the test JVM as its client. */
    static HdfsCluster start(Path directory) throws Exception {
        return start(new HdfsCluster(directory, new PlatformNetwork(), REALM, TEST_USERS));
    }

    /** As {@link #start(Path)}, with more NameNode settings (e.g. its authoriser's, or another group mapping). */
    static HdfsCluster start(Path directory, Map<String, String> namenodeEnvironment) throws Exception {
        HdfsCluster cluster = new HdfsCluster(directory, new PlatformNetwork(), REALM, TEST_USERS);
        cluster.namenode.withEnv(namenodeEnvironment);
        return start(cluster);
    }

    /**
     * Another site's HDFS (the development platform's) on network, in realm, with users' principals besides the
     * cluster's own (lines of the KDC's principals file) and more NameNode settings. The test JVM is its client until
     * another cluster starts ({@link #useAsJvmClient} makes it so again).
     */
    static HdfsCluster startSite(Path directory, PlatformNetwork network, String realm, String users,
            Map<String, String> namenodeEnvironment) throws Exception {
        HdfsCluster cluster = new HdfsCluster(directory, network, realm, users);
        cluster.namenode.withEnv(namenodeEnvironment);
        return start(cluster);
    }

    /** Makes the test JVM's Kerberos and Hadoop client configuration this cluster's. */
    void useAsJvmClient() {
        Kerberos.useConfiguration(clientConfiguration.resolve("krb5.conf"));
        // Hadoop caches the default realm of the first krb5.conf it read; principals of another realm would match
        // no auth_to_local rule ("No rules applied to hdfs@DEV.PLATFORM.EXAMPLE").
        org.apache.hadoop.security.authentication.util.KerberosName.resetDefaultRealm();
        UserGroupInformation.setConfiguration(configuration);
    }

    private static HdfsCluster start(HdfsCluster cluster) throws Exception {
        try {
            cluster.kdc.start();
            cluster.namenode.start();
            Startables.deepStart(cluster.datanodes).get(3, TimeUnit.MINUTES);
            return cluster;
        }
        catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The environment of a client image (Trino, Spark) of the tests' HDFS: what the client configuration module renders from. */
    static Map<String, String> clientEnvironment() {
        return environment(REALM, KDC, NAMENODE);
    }

    /** The client environment of this cluster. */
    Map<String, String> environment() {
        return environment(realm, network.name("kdc") + ":" + KdcContainer.KDC_PORT, network.name("namenode"));
    }

    private static Map<String, String> environment(String realm, String kdc, String namenode) {
        return Map.of(
                "KERBEROS_REALM", realm,
                "KERBEROS_KDC", kdc,
                "HDFS_NAMENODE", namenode + ":8020",
                "HDFS_REPLICATION", "2");
    }

    /** A NameNode or DataNode (not started) on {@code host}, with that host's keytab. */
    HadoopContainer daemon(String role, String host) {
        Map<String, String> environment = new HashMap<>(environment());
        environment.put("HDFS_KEYTAB", HadoopContainer.KEYTABS + "/" + host + ".keytab");
        environment.put("HADOOP_SSL_KEYSTORE", HadoopContainer.SSL + "/keystore.p12");
        environment.put("HADOOP_SSL_KEYSTORE_PASSWORD", KEYSTORE_PASSWORD);
        environment.put("HDFS_USER_GROUPS", USER_GROUPS);
        // Trino's principal acts for its users (the lakehouse catalog impersonates them), whoever they are.
        environment.put("HDFS_PROXY_USERS", "trino=*;");
        // A stopped DataNode is declared dead after 2 × 3 s + 10 × 1 s instead of 10.5 minutes.
        environment.put("HDFS_HEARTBEAT_SECONDS", "1");
        environment.put("HDFS_DEAD_NODE_RECHECK_MS", "3000");
        environment.put("HDFS_SAFEMODE_EXTENSION_MS", "0");
        return network.attach(new HadoopContainer(hadoopImage, role), host)
                .withSecrets(keytabs, ssl)
                .withEnv(environment);
    }

    Configuration configuration() {
        return new Configuration(configuration);
    }

    Path keytab(String name) {
        return keytabs.resolve(name);
    }

    /** {@code user} logged in from its keytab, as a service or a scheduled job does. */
    UserGroupInformation login(String user) throws IOException {
        return UserGroupInformation.loginUserFromKeytabAndReturnUGI(user + "@" + realm,
                keytab(user + ".keytab").toString());
    }

    /** Runs {@code action} as {@code user} with a file system of its own. */
    <T> T as(String user, FileSystemAction<T> action) throws Exception {
        return as(login(user), action);
    }

    <T> T as(UserGroupInformation user, FileSystemAction<T> action) throws Exception {
        return user.doAs((PrivilegedExceptionAction<T>) () -> {
            try (FileSystem fileSystem = FileSystem.newInstance(FileSystem.getDefaultUri(configuration),
                    configuration)) {
                return action.run(fileSystem);
            }
        });
    }

    /** The lakehouse's root, /warehouse (0755), owned by the team user whose jobs write it. */
    void createWarehouse(String owner) throws Exception {
        as("hdfs", fs -> {
            org.apache.hadoop.fs.Path warehouse = new org.apache.hadoop.fs.Path("/warehouse");
            fs.mkdirs(warehouse, new org.apache.hadoop.fs.permission.FsPermission((short) 0755));
            fs.setOwner(warehouse, owner, owner);
            return null;
        });
    }

    /** The files under {@code directory}, recursively, as the superuser sees them. */
    List<org.apache.hadoop.fs.FileStatus> files(String directory) throws Exception {
        return as("hdfs", fs -> {
            List<org.apache.hadoop.fs.FileStatus> found = new java.util.ArrayList<>();
            var iterator = fs.listFiles(new org.apache.hadoop.fs.Path(directory), true);
            while (iterator.hasNext()) {
                found.add(iterator.next());
            }
            return found;
        });
    }

    /** Trusts the cluster's HTTPS certificate (and nothing else). */
    SSLContext sslContext() throws Exception {
        KeyStore keystore = KeyStore.getInstance("PKCS12");
        try (InputStream input = Files.newInputStream(ssl.resolve("keystore.p12"))) {
            keystore.load(input, KEYSTORE_PASSWORD.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("hdfs", keystore.getCertificate(TlsCertificate.ALIAS));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    @FunctionalInterface
    interface FileSystemAction<T> {
        T run(FileSystem fileSystem) throws Exception;
    }

    /** One key pair and certificate for the cluster's hosts, made with the JDK's keytool. */
    private static void makeKeystore(Path keystore, PlatformNetwork network) throws IOException, InterruptedException {
        TlsCertificate.keystore(keystore, KEYSTORE_PASSWORD, network.name("hdfs"), List.copyOf(network.hosts().keySet()));
    }

    @Override
    public void close() {
        for (HadoopContainer datanode : datanodes) {
            datanode.close();
        }
        namenode.close();
        kdc.close();
        network.close();
    }
}
