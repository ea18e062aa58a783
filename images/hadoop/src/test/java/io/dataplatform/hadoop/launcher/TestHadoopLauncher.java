package io.dataplatform.hadoop.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class TestHadoopLauncher {
    @TempDir
    Path directory;

    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private PrintStream standardError;

    @BeforeEach
    void captureErrors() {
        standardError = System.err;
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreErrors() {
        System.setErr(standardError);
    }

    @Test
    void anUnknownRoleIsNamed() {
        assertThat(HadoopLauncher.prepare(new String[] {"journalnode"}, environment(), mounted(), output()))
                .isEqualTo(2);
        assertThat(errors()).isEqualTo("hadoop: unknown role 'journalnode' (argument or HADOOP_ROLE): expected "
                + "namenode or datanode\n");
        assertThat(HadoopLauncher.role(new String[0], Map.of("HADOOP_ROLE", "datanode")))
                .isEqualTo(HadoopLauncher.Role.DATANODE);
    }

    @Test
    void missingVariablesAreNamedAndNothingIsWritten() {
        Map<String, String> environment = new HashMap<>(environment());
        environment.remove("HADOOP_SSL_KEYSTORE_PASSWORD");
        environment.put("HDFS_DATA_DIR", "relative/data");

        assertThat(HadoopLauncher.prepare(new String[] {"datanode"}, environment, mounted(), output())).isEqualTo(1);
        assertThat(errors()).contains(
                "hadoop: HADOOP_SSL_KEYSTORE_PASSWORD is not set (the password of the keystore and of its key, at "
                        + "least 6 characters); needed by ssl-server.xml\n",
                "hadoop: HDFS_DATA_DIR='relative/data' is not valid (the DataNode's block directories, "
                        + "comma-separated absolute paths); needed by hadoop-server.xml\n",
                "hadoop: the datanode was not started\n");
        assertThat(output()).doesNotExist();
    }

    @Test
    void aMissingKeytabOrKeystoreStopsTheStart() {
        assertThat(HadoopLauncher.prepare(new String[] {"namenode"}, environment(), mounted(), output()))
                .isEqualTo(1);
        assertThat(errors()).isEqualTo(
                "hadoop: the keytab (dfs.namenode.keytab.file, HDFS_KEYTAB) " + directory.resolve("nn.keytab")
                        + " does not exist\n"
                        + "hadoop: the HTTPS keystore (ssl.server.keystore.location, HADOOP_SSL_KEYSTORE) "
                        + directory.resolve("keystore.p12") + " does not exist\n"
                        + "hadoop: the namenode was not started\n");
    }

    @Test
    void theServerFilesAreRenderedFromTheEnvironment() throws Exception {
        Files.writeString(directory.resolve("nn.keytab"), "not checked here");
        Files.writeString(directory.resolve("keystore.p12"), "not checked here");

        assertThat(HadoopLauncher.prepare(new String[] {"namenode"}, environment(), mounted(), output()))
                .isEqualTo(0);
        assertThat(errors()).isEmpty();

        Configuration configuration = new Configuration(false);
        for (String file : new String[] {"core-site.xml", "hdfs-site.xml", "hadoop-server.xml"}) {
            configuration.addResource(new org.apache.hadoop.fs.Path(output().resolve(file).toUri()));
        }
        assertThat(configuration.get("fs.defaultFS")).isEqualTo("hdfs://namenode.platform.test:8020");
        assertThat(configuration.get("dfs.namenode.keytab.file")).isEqualTo(directory.resolve("nn.keytab").toString());
        assertThat(configuration.get("dfs.namenode.name.dir")).isEqualTo("/var/lib/hadoop/name");
        assertThat(configuration.get("dfs.permissions.superusergroup")).isEqualTo("hdfsadmin");
        assertThat(configuration.get("hadoop.user.group.static.mapping.overrides"))
                .isEqualTo("dr.who=;alice=analysts,etl;");
        assertThat(configuration.get("hadoop.http.authentication.kerberos.principal"))
                .isEqualTo("HTTP/_HOST@PLATFORM.TEST");
        assertThat(configuration.get("dfs.data.transfer.protection")).isEqualTo("privacy");

        Configuration policy = new Configuration(false);
        policy.addResource(new org.apache.hadoop.fs.Path(output().resolve("hadoop-policy.xml").toUri()));
        assertThat(policy.get("security.datanode.protocol.acl")).isEqualTo("hdfs");
        assertThat(policy.get("security.admin.operations.protocol.acl")).isEqualTo("hdfs hdfsadmin");
        assertThat(policy.get("security.client.protocol.acl")).isEqualTo("*");
        assertThat(Files.readString(output().resolve("ssl-server.xml"))).contains("<value>keystore-secret</value>");
        // It holds the keystore password: owner-only, like every file the launcher writes.
        try (var files = Files.list(output())) {
            assertThat(files.filter(Files::isRegularFile).toList()).isNotEmpty().allSatisfy(file -> assertThat(
                    java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as(file.toString()).isEqualTo("rw-------"));
        }
        assertThat(System.getProperty("java.security.krb5.conf")).isEqualTo(output().resolve("krb5.conf").toString());
    }

    @Test
    void proxyUserRulesComeFromTheEnvironment() throws Exception {
        Files.writeString(directory.resolve("nn.keytab"), "not checked here");
        Files.writeString(directory.resolve("keystore.p12"), "not checked here");
        Map<String, String> environment = new java.util.HashMap<>(environment());
        environment.put("HDFS_PROXY_USERS", "trino=*;jupyterhub=analysts,team-data-engineering;");
        environment.put("HDFS_PROXY_HOSTS", "10.244.0.0/16,trino.platform.svc");
        assertThat(HadoopLauncher.prepare(new String[] {"namenode"}, environment, mounted(), output())).isEqualTo(0);

        Configuration configuration = new Configuration(false);
        configuration.addResource(new org.apache.hadoop.fs.Path(output().resolve("hadoop-server.xml").toUri()));
        assertThat(configuration.get("hadoop.proxyuser.trino.groups")).isEqualTo("*");
        assertThat(configuration.get("hadoop.proxyuser.trino.hosts")).isEqualTo("10.244.0.0/16,trino.platform.svc");
        assertThat(configuration.get("hadoop.proxyuser.jupyterhub.groups"))
                .isEqualTo("analysts,team-data-engineering");
        assertThat(configuration.getValByRegex("^hadoop\\.proxyuser\\.")).hasSize(4);
    }

    @Test
    void withoutProxyUsersNoServiceActsForAnyone() throws Exception {
        Files.writeString(directory.resolve("nn.keytab"), "not checked here");
        Files.writeString(directory.resolve("keystore.p12"), "not checked here");
        assertThat(HadoopLauncher.prepare(new String[] {"namenode"}, environment(), mounted(), output())).isEqualTo(0);
        Configuration configuration = new Configuration(false);
        configuration.addResource(new org.apache.hadoop.fs.Path(output().resolve("hadoop-server.xml").toUri()));
        assertThat(configuration.getValByRegex("^hadoop\\.proxyuser\\.")).isEmpty();
    }
    @Test
    void aMalformedProxyUserRuleIsNamedAndNothingIsWritten() {
        Map<String, String> environment = new java.util.HashMap<>(environment());
        environment.put("HDFS_PROXY_USERS", "trino:*");
        environment.put("HDFS_PROXY_HOSTS", "any host");
        assertThat(HadoopLauncher.prepare(new String[] {"namenode"}, environment, mounted(), output())).isEqualTo(1);
        assertThat(errors()).contains("hadoop: HDFS_PROXY_USERS='trino:*' is not valid (the services that may act")
                .contains("hadoop: HDFS_PROXY_HOSTS='any host' is not valid (where those services may connect from")
                .contains("the namenode was not started");
        assertThat(output()).doesNotExist();
    }

    private Map<String, String> environment() {
        return Map.of(
                "KERBEROS_REALM", "PLATFORM.TEST",
                "KERBEROS_KDC", "kdc.platform.test:88",
                "HDFS_NAMENODE", "namenode.platform.test:8020",
                "HDFS_KEYTAB", directory.resolve("nn.keytab").toString(),
                "HADOOP_SSL_KEYSTORE", directory.resolve("keystore.p12").toString(),
                "HADOOP_SSL_KEYSTORE_PASSWORD", "keystore-secret",
                "HDFS_SUPERGROUP", "hdfsadmin",
                "HDFS_USER_GROUPS", "alice=analysts,etl;");
    }

    private Path mounted() {
        return directory.resolve("mounted");
    }

    private Path output() {
        return directory.resolve("conf");
    }

    private String errors() {
        return errors.toString(StandardCharsets.UTF_8);
    }
}
