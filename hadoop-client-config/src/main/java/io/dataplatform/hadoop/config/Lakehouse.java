package io.dataplatform.hadoop.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.dataplatform.hadoop.config.ClientConfiguration.HOST_PORT;
import static io.dataplatform.hadoop.config.Setting.required;
import static io.dataplatform.hadoop.config.Setting.secret;

/**
 * The platform's Iceberg catalog, {@value #CATALOG}, shared by Spark and Trino: Iceberg's JDBC catalog in PostgreSQL,
 * tables on the Kerberized HDFS. Both engines render their catalog configuration from the same variables (one
 * ConfigMap and one Secret in a deployment), so they cannot disagree on where a table lives:
 * {@code lakehouse.properties} for Trino and {@code spark-lakehouse.conf} for Spark.
 */
public final class Lakehouse {
    /** The catalog's name in both engines and in the JDBC catalog's tables (Iceberg's {@code catalog_name}). */
    public static final String CATALOG = "lakehouse";
    public static final String TRINO_TEMPLATE = "lakehouse.properties";
    public static final String SPARK_TEMPLATE = "spark-lakehouse.conf";

    public static final List<Setting> SETTINGS = List.of(
            required("LAKEHOUSE_JDBC_URL", "jdbc:postgresql://" + HOST_PORT + "/[A-Za-z0-9_]+(\\?[^\\s\\\\]*)?",
                    "the PostgreSQL database of the Iceberg catalog, e.g. jdbc:postgresql://postgres.example:5432/iceberg"),
            required("LAKEHOUSE_JDBC_USER", "[A-Za-z_][A-Za-z0-9_]*", "the catalog database's user"),
            secret("LAKEHOUSE_JDBC_PASSWORD", "[^\\s\\\\]+",
                    "the catalog database user's password, from a Secret; no spaces or backslashes"),
            required("LAKEHOUSE_WAREHOUSE", "hdfs://" + HOST_PORT + "(/[^\\s\\\\]*)?",
                    "where new tables go, e.g. hdfs://namenode.example:8020/warehouse"),
            required("KERBEROS_PRINCIPAL", "[^\\s@/]+(/[^\\s@/]+)?(@[A-Z0-9][A-Z0-9.-]*)?",
                    "the principal this engine reads and writes HDFS as, e.g. trino/trino.example@PLATFORM.EXAMPLE; "
                            + "without a realm, KERBEROS_REALM's"),
            required("KERBEROS_KEYTAB", "/[^\\s\\\\]+", "the absolute path of that principal's keytab"));

    private Lakehouse() {}

    /** Whether the environment asks for the catalog at all (any LAKEHOUSE_ variable is set). */
    public static boolean configured(Map<String, String> environment) {
        return environment.keySet().stream().anyMatch(name -> name.startsWith("LAKEHOUSE_"));
    }

    public static Variables variables(Map<String, String> environment) {
        return new Variables(environment).read(SETTINGS);
    }

    public static Template trino() {
        return Template.resource(Lakehouse.class, TRINO_TEMPLATE);
    }

    public static Template spark() {
        return Template.resource(Lakehouse.class, SPARK_TEMPLATE);
    }

    /**
     * Prepares Trino's catalog directory: the catalogs mounted in {@code mounted}, plus {@code lakehouse.properties}
     * rendered from the environment when it asks for the lakehouse and no file of that name is mounted.
     */
    public static List<String> prepareTrinoCatalogs(Map<String, String> environment, Path mounted, Path output) {
        List<Template> templates = configured(environment) ? List.of(trino()) : List.of();
        return ConfigurationDirectory.prepare(templates, variables(environment), mounted, output);
    }
}
