package io.dataplatform.hadoop.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestClientConfiguration {
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "KERBEROS_REALM", "PLATFORM.TEST",
            "KERBEROS_KDC", "kdc1.platform.test:88,kdc2.platform.test:8888",
            "HDFS_NAMENODE", "namenode.platform.test:8020");

    @TempDir
    Path directory;

    @Test
    void rendersTheThreeClientFilesFromTheEnvironment() throws Exception {
        Path output = directory.resolve("conf");
        var report = ClientConfiguration.prepare(ENVIRONMENT, directory.resolve("none"), output);

        assertThat(report).containsExactly(
                "core-site.xml: rendered from the environment",
                "hdfs-site.xml: rendered from the environment",
                "krb5.conf: rendered from the environment");
        Map<String, String> core = properties(output.resolve("core-site.xml"));
        assertThat(core).containsEntry("fs.defaultFS", "hdfs://namenode.platform.test:8020")
                .containsEntry("hadoop.security.authentication", "kerberos")
                .containsEntry("hadoop.security.authorization", "true")
                .containsEntry("hadoop.rpc.protection", "privacy");
        assertThat(core.get("hadoop.security.auth_to_local"))
                .contains("RULE:[2:$1@$0](nn@PLATFORM.TEST)s/.*/hdfs/")
                .contains("RULE:[2:$1@$0](dn@PLATFORM.TEST)s/.*/hdfs/")
                .endsWith("DEFAULT");
        assertThat(properties(output.resolve("hdfs-site.xml")))
                .containsEntry("dfs.namenode.rpc-address", "namenode.platform.test:8020")
                .containsEntry("dfs.namenode.https-address", "namenode.platform.test:9871")
                .containsEntry("dfs.http.policy", "HTTPS_ONLY")
                .containsEntry("dfs.replication", "3")
                .containsEntry("dfs.namenode.kerberos.principal", "nn/_HOST@PLATFORM.TEST")
                .containsEntry("dfs.data.transfer.protection", "privacy")
                .containsEntry("dfs.block.access.token.enable", "true");
        assertThat(Files.readString(output.resolve("krb5.conf")))
                .contains("default_realm = PLATFORM.TEST")
                .contains("""
                          PLATFORM.TEST = {
                            kdc = kdc1.platform.test:88
                            kdc = kdc2.platform.test:8888
                          }
                        """);
    }

    @Test
    void optionalSettingsOverrideTheirDefaults() throws Exception {
        Map<String, String> environment = new HashMap<>(ENVIRONMENT);
        environment.put("HDFS_REPLICATION", "2");
        environment.put("HDFS_NAMENODE_HTTPS_PORT", "50470");
        environment.put("HDFS_DATA_TRANSFER_PROTECTION", "integrity");
        Path output = directory.resolve("conf");
        ClientConfiguration.prepare(environment, directory.resolve("none"), output);

        assertThat(properties(output.resolve("hdfs-site.xml")))
                .containsEntry("dfs.replication", "2")
                .containsEntry("dfs.namenode.https-address", "namenode.platform.test:50470")
                .containsEntry("dfs.data.transfer.protection", "integrity");
    }

    @Test
    void missingAndInvalidVariablesAreAllNamedAndNothingIsWritten() {
        Map<String, String> environment = Map.of(
                "KERBEROS_KDC", "kdc1.platform.test",
                "HDFS_NAMENODE", "namenode.platform.test:8020",
                "HDFS_REPLICATION", "0");
        Path output = directory.resolve("conf");

        assertThatThrownBy(() -> ClientConfiguration.prepare(environment, directory.resolve("none"), output))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
                        "KERBEROS_REALM is not set (the Kerberos realm in upper case, e.g. PLATFORM.EXAMPLE); "
                                + "needed by core-site.xml, hdfs-site.xml, krb5.conf",
                        "HDFS_REPLICATION='0' is not valid (the replication of new files, 1 to 9); needed by "
                                + "hdfs-site.xml",
                        "KERBEROS_KDC='kdc1.platform.test' is not valid (the KDCs as host:port, comma-separated, "
                                + "e.g. kdc1.example:88,kdc2.example:88); needed by krb5.conf"));
        assertThat(output).doesNotExist();
    }

    @Test
    void malformedAddressesAndRealmsAreRejected() {
        for (Map.Entry<String, String> bad : Map.of(
                "KERBEROS_REALM", "platform.test",
                "HDFS_NAMENODE", "namenode.platform.test:99999",
                "KERBEROS_KDC", "kdc1:88,,kdc2:88",
                "HADOOP_RPC_PROTECTION", "none").entrySet()) {
            Map<String, String> environment = new HashMap<>(ENVIRONMENT);
            environment.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> ClientConfiguration.prepare(environment, directory.resolve("none"),
                    directory.resolve("conf")))
                    .hasMessageContaining(bad.getKey() + "='" + bad.getValue() + "' is not valid");
        }
    }

    @Test
    void mountedFilesReplaceTemplatesAndNeedNoVariables() throws IOException {
        Path mounted = Files.createDirectories(directory.resolve("mounted"));
        Files.writeString(mounted.resolve("core-site.xml"), "<configuration/>");
        Files.writeString(mounted.resolve("hdfs-site.xml"), "<configuration/>");
        Files.writeString(mounted.resolve("krb5.conf"), "[libdefaults]\n");
        Files.writeString(mounted.resolve("hadoop-metrics2.properties"), "*.period=10\n");
        Files.createDirectories(mounted.resolve("..2026_11_26_data"));
        Path output = directory.resolve("conf");

        var report = ClientConfiguration.prepare(Map.of(), mounted, output);

        assertThat(report).containsExactly(
                "core-site.xml: mounted " + mounted.resolve("core-site.xml"),
                "hadoop-metrics2.properties: mounted " + mounted.resolve("hadoop-metrics2.properties"),
                "hdfs-site.xml: mounted " + mounted.resolve("hdfs-site.xml"),
                "krb5.conf: mounted " + mounted.resolve("krb5.conf"));
        assertThat(Files.readString(output.resolve("core-site.xml"))).isEqualTo("<configuration/>");
        assertThat(output.resolve("hadoop-metrics2.properties")).hasContent("*.period=10");
        assertThat(output.resolve("..2026_11_26_data")).doesNotExist();
    }

    @Test
    void aPartlyMountedDirectoryRendersTheRest() throws IOException {
        Path mounted = Files.createDirectories(directory.resolve("mounted"));
        Files.writeString(mounted.resolve("krb5.conf"), "[libdefaults]\n  default_realm = CORP.EXAMPLE\n");
        Path output = directory.resolve("conf");

        ClientConfiguration.prepare(ENVIRONMENT, mounted, output);

        assertThat(output.resolve("krb5.conf")).hasContent("[libdefaults]\n  default_realm = CORP.EXAMPLE");
        assertThat(output.resolve("core-site.xml")).content().contains("hdfs://namenode.platform.test:8020");
    }

    @Test
    void aRestartReplacesThePreviousRendering() throws Exception {
        Path output = directory.resolve("conf");
        ClientConfiguration.prepare(ENVIRONMENT, directory.resolve("none"), output);
        Map<String, String> moved = new HashMap<>(ENVIRONMENT);
        moved.put("HDFS_NAMENODE", "namenode2.platform.test:8020");

        ClientConfiguration.prepare(moved, directory.resolve("none"), output);

        assertThat(properties(output.resolve("core-site.xml")))
                .containsEntry("fs.defaultFS", "hdfs://namenode2.platform.test:8020");
        try (var files = Files.list(output)) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .containsExactlyInAnyOrder("core-site.xml", "hdfs-site.xml", "krb5.conf");
        }
    }

    @Test
    void aTemplateWithAnUndeclaredPlaceholderIsAProgrammingError() {
        Template template = new Template("x.conf", "a = ${NOT_DECLARED}");
        assertThatThrownBy(() -> template.render(ClientConfiguration.variables(ENVIRONMENT)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("${NOT_DECLARED}");
    }

    /** name → value of a Hadoop configuration file, as Hadoop reads it (values trimmed). */
    static Map<String, String> properties(Path file) throws Exception {
        var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        NodeList nodes = document.getElementsByTagName("property");
        Map<String, String> properties = new HashMap<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element property = (Element) nodes.item(i);
            String value = property.getElementsByTagName("value").item(0).getTextContent().strip()
                    .replaceAll("\\s*\\n\\s*", "\n");
            properties.put(property.getElementsByTagName("name").item(0).getTextContent(), value);
        }
        return properties;
    }
}
