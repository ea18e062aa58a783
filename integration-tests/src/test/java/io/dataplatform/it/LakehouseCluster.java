package io.dataplatform.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.model.Bind;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.lifecycle.Startables;

/**
 * The platform's lakehouse from its images: the secured HDFS ({@link HdfsCluster}), PostgreSQL holding the Iceberg
 * JDBC catalog, a Spark standalone master with two workers, and optionally Trino; Spark and Trino configured from the
 * same LAKEHOUSE_* variables. Drivers are containers of the Spark image logging in as the team's {@code etl} user.
 */
final class LakehouseCluster implements AutoCloseable {
    static final String CATALOG_PASSWORD = "iceberg-test-secret";
    /** The standalone cluster's shared secret: its master, workers and drivers authenticate with it. */
    static final String CLUSTER_SECRET = "standalone-test-secret";
    static final String WAREHOUSE = "hdfs://" + HdfsCluster.NAMENODE + ":8020/warehouse";
    static final String KEYTABS = "/etc/security/keytabs";
    /** Where drivers write what the host reads (lineage records): a host directory mounted at /out. */
    static final String OUTPUT = "/out";

    final HdfsCluster hdfs;
    final PostgresContainer postgres;
    final SparkContainer master;
    final List<SparkContainer> workers;
    final TrinoContainer trino;
    final Path output;
    private final PlatformImage spark = PlatformImage.of("spark");

    private LakehouseCluster(HdfsCluster hdfs, Path output, boolean withTrino) {
        this.hdfs = hdfs;
        this.output = output;
        postgres = catalog(hdfs);
        master = spark(SparkContainer.master(spark), "spark-master");
        workers = List.of(spark(SparkContainer.worker(spark), "spark-worker1"),
                spark(SparkContainer.worker(spark), "spark-worker2"));
        trino = withTrino ? trino(hdfs) : null;
    }

    /** PostgreSQL holding the Iceberg JDBC catalog, on the HDFS cluster's network (not started). */
    static PostgresContainer catalog(HdfsCluster hdfs) {
        return hdfs.network.attach(new PostgresContainer(PlatformImage.of("postgres")), "postgres")
                .withEnv("POSTGRES_DATABASES", "iceberg:iceberg:" + CATALOG_PASSWORD)
                .withEnv("POSTGRES_ICEBERG_CATALOGS", "iceberg");
    }

    /**
     * A single-node Trino with the lakehouse catalog (not started). Its catalog comes from the same variables as
     * Spark's; only its identity differs: trino/trino.platform.test, acting for each query's user on HDFS.
     */
    static TrinoContainer trino(HdfsCluster hdfs) {
        return hdfs.network.attach(new TrinoContainer(PlatformImage.of("trino"), "single"), "trino")
                .withEnv(environment())
                .withEnv("KERBEROS_PRINCIPAL", "trino/trino.platform.test@" + HdfsCluster.REALM)
                .withEnv("KERBEROS_KEYTAB", KEYTABS + "/trino.keytab")
                .withCatalog("tpch", "connector.name=tpch\n")
                .withCreateContainerCmdModifier(command -> command.getHostConfig().withBinds(
                        Bind.parse(hdfs.keytabs + ":" + KEYTABS + ":ro")));
    }

    static LakehouseCluster start(Path directory, boolean withTrino) throws Exception {
        HdfsCluster hdfs = HdfsCluster.start(directory.resolve("hdfs"));
        LakehouseCluster cluster = null;
        try {
            hdfs.createWarehouse("etl");
            Path output = Files.createDirectories(directory.resolve("out"));
            Files.setPosixFilePermissions(output, PosixFilePermissions.fromString("rwxrwxrwx"));
            cluster = new LakehouseCluster(hdfs, output, withTrino);
            List<GenericContainer<?>> services = new ArrayList<>(List.of(cluster.postgres, cluster.master,
                    cluster.workers.get(0), cluster.workers.get(1)));
            if (withTrino) {
                services.add(cluster.trino);
            }
            Startables.deepStart(services).get(5, TimeUnit.MINUTES);
            return cluster;
        }
        catch (Exception | Error e) {
            if (cluster != null) {
                cluster.close();
            }
            else {
                hdfs.close();
            }
            throw e;
        }
    }

    /** The HDFS client and lakehouse variables: one ConfigMap and one Secret in a deployment. */
    static Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>(HdfsCluster.clientEnvironment());
        // As in Argo CD (components/platform-clients): the catalog connection insists on TLS.
        environment.put("LAKEHOUSE_JDBC_URL", "jdbc:postgresql://" + PlatformNetwork.fqdn("postgres") + ":5432/iceberg?sslmode=require");
        environment.put("LAKEHOUSE_JDBC_USER", "iceberg");
        environment.put("LAKEHOUSE_JDBC_PASSWORD", CATALOG_PASSWORD);
        environment.put("LAKEHOUSE_WAREHOUSE", WAREHOUSE);
        return environment;
    }

    private SparkContainer spark(SparkContainer container, String host) {
        return hdfs.network.attach(container, host)
                .withEnv(environment())
                .withEnv("SPARK_AUTHENTICATE_SECRET", CLUSTER_SECRET)
                .withCreateContainerCmdModifier(command -> command.getHostConfig().withBinds(
                        Bind.parse(hdfs.keytabs + ":" + KEYTABS + ":ro"),
                        Bind.parse(output + ":" + OUTPUT)));
    }

    /**
     * A client-mode driver of the team's ETL user (the image's {@code sql} entry point), as an Airflow task would
     * start it: one 1-core, 512 MB executor per worker, lineage records to /out/lineage.jsonl.
     */
    SparkContainer driver(String keytab, String... arguments) {
        List<String> command = new ArrayList<>(List.of(
                "--conf", "spark.executor.memory=512m",
                "--conf", "spark.executor.cores=1",
                "--conf", "spark.cores.max=2",
                "--conf", "spark.sql.shuffle.partitions=4",
                "--conf", "spark.platform.lineage.path=" + OUTPUT + "/lineage.jsonl"));
        command.addAll(List.of(arguments));
        return spark(SparkContainer.driver(spark, "sql", command.toArray(String[]::new)), "spark-driver")
                .withEnv("KERBEROS_PRINCIPAL", "etl@" + HdfsCluster.REALM)
                .withEnv("KERBEROS_KEYTAB", KEYTABS + "/" + keytab);
    }

    @Override
    public void close() {
        for (GenericContainer<?> container : java.util.Arrays.asList(trino, workers.get(0), workers.get(1), master,
                postgres)) {
            if (container != null) {
                container.close();
            }
        }
        hdfs.close();
    }
}
