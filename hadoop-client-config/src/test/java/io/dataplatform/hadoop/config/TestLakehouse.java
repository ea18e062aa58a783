package io.dataplatform.hadoop.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestLakehouse {
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "LAKEHOUSE_JDBC_URL", "jdbc:postgresql://postgres.platform.test:5432/iceberg",
            "LAKEHOUSE_JDBC_USER", "iceberg",
            "LAKEHOUSE_JDBC_PASSWORD", "s3cr=t#1",
            "LAKEHOUSE_WAREHOUSE", "hdfs://namenode.platform.test:8020/warehouse",
            "KERBEROS_PRINCIPAL", "trino/trino.platform.test@PLATFORM.TEST",
            "KERBEROS_KEYTAB", "/etc/security/keytabs/trino.keytab");

    @TempDir
    Path directory;

    @Test
    void bothEnginesNameTheSameCatalogDatabaseAndWarehouse() throws IOException {
        Properties trino = properties(Lakehouse.trino().render(Lakehouse.variables(ENVIRONMENT)));
        Properties spark = properties(Lakehouse.spark().render(Lakehouse.variables(ENVIRONMENT)));

        assertThat(trino.getProperty("iceberg.jdbc-catalog.catalog-name")).isEqualTo(Lakehouse.CATALOG);
        assertThat(spark.getProperty("spark.sql.catalog." + Lakehouse.CATALOG))
                .isEqualTo("org.apache.iceberg.spark.SparkCatalog");
        assertThat(trino.getProperty("iceberg.jdbc-catalog.connection-url"))
                .isEqualTo(spark.getProperty("spark.sql.catalog.lakehouse.uri"))
                .isEqualTo("jdbc:postgresql://postgres.platform.test:5432/iceberg");
        assertThat(trino.getProperty("iceberg.jdbc-catalog.default-warehouse-dir"))
                .isEqualTo(spark.getProperty("spark.sql.catalog.lakehouse.warehouse"))
                .isEqualTo("hdfs://namenode.platform.test:8020/warehouse");
        assertThat(trino.getProperty("iceberg.jdbc-catalog.schema-version"))
                .isEqualTo(spark.getProperty("spark.sql.catalog.lakehouse.jdbc.schema-version"))
                .isEqualTo("V1");
        // Trino reads the password from its environment; Spark's file has it (its UI redacts it).
        assertThat(trino.getProperty("iceberg.jdbc-catalog.connection-password"))
                .isEqualTo("${ENV:LAKEHOUSE_JDBC_PASSWORD}");
        assertThat(spark.getProperty("spark.sql.catalog.lakehouse.jdbc.password")).isEqualTo("s3cr=t#1");
        assertThat(trino.getProperty("hive.hdfs.trino.principal")).isEqualTo("trino/trino.platform.test@PLATFORM.TEST");
        // Trino reaches HDFS as the query's user.
        assertThat(trino.getProperty("hive.hdfs.impersonation.enabled")).isEqualTo("true");
        assertThat(trino.getProperty("iceberg.metadata-cache.enabled")).isEqualTo("false");
        // Stale catalog connections after a PostgreSQL restart are reconnected, not failed.
        assertThat(trino.getProperty("iceberg.jdbc-catalog.retryable-status-codes")).isEqualTo("57P01,57P02,57P03");
    }

    @Test
    void trinoCatalogsAreTheMountedOnesPlusTheRenderedLakehouse() throws IOException {
        Path mounted = Files.createDirectories(directory.resolve("catalog"));
        Files.writeString(mounted.resolve("tpch.properties"), "connector.name=tpch\n");
        Path output = directory.resolve("run");

        assertThat(Lakehouse.prepareTrinoCatalogs(ENVIRONMENT, mounted, output)).containsExactly(
                "lakehouse.properties: rendered from the environment",
                "tpch.properties: mounted " + mounted.resolve("tpch.properties"));
        assertThat(Files.readString(output.resolve("lakehouse.properties"))).contains("connector.name=iceberg");

        // Without LAKEHOUSE_* variables only the mounted catalogs are there.
        Path plain = directory.resolve("plain");
        assertThat(Lakehouse.prepareTrinoCatalogs(Map.of(), mounted, plain))
                .containsExactly("tpch.properties: mounted " + mounted.resolve("tpch.properties"));
        assertThat(plain.resolve("lakehouse.properties")).doesNotExist();
    }

    @Test
    void badOrMissingVariablesAreAllNamedAndNothingIsWritten() {
        Map<String, String> environment = new HashMap<>(ENVIRONMENT);
        environment.put("LAKEHOUSE_JDBC_URL", "jdbc:mysql://db:3306/iceberg");
        environment.remove("KERBEROS_KEYTAB");
        Path output = directory.resolve("bad");

        assertThatThrownBy(() -> Lakehouse.prepareTrinoCatalogs(environment, directory.resolve("none"), output))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("LAKEHOUSE_JDBC_URL='jdbc:mysql://db:3306/iceberg' is not valid (the PostgreSQL "
                        + "database of the Iceberg catalog, e.g. jdbc:postgresql://postgres.example:5432/iceberg); "
                        + "needed by lakehouse.properties")
                .hasMessageContaining("KERBEROS_KEYTAB is not set (the absolute path of that principal's keytab); "
                        + "needed by lakehouse.properties");
        assertThat(output).doesNotExist();
    }

    @Test
    void aRejectedSecretIsNeverEchoed() {
        Map<String, String> environment = new HashMap<>(ENVIRONMENT);
        environment.put("LAKEHOUSE_JDBC_PASSWORD", "hunter2 with a space");
        environment.put("LAKEHOUSE_JDBC_URL", "jdbc:mysql://db:3306/iceberg?user=iceberg&password=s3cr3t-in-url");

        // Spark's catalog settings use the password (Trino's read it from the environment at run time).
        Path output = directory.resolve("secret");
        assertThatThrownBy(() -> ConfigurationDirectory.prepare(List.of(Lakehouse.spark()),
                Lakehouse.variables(environment), directory.resolve("none"), output))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("LAKEHOUSE_JDBC_PASSWORD=<secret of 20 characters, not shown> is not valid")
                .hasMessageContaining("LAKEHOUSE_JDBC_URL='jdbc:mysql://db:3306/iceberg?user=iceberg&password=***' is not valid")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("s3cr3t");
        assertThat(output).doesNotExist();
    }

    private static Properties properties(String text) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return properties;
    }
}
