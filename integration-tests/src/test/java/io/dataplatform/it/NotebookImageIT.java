package io.dataplatform.it;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The notebook images as built, run with Docker: the libraries each environment promises at the pinned versions,
 * PySpark at the cluster's Spark joined to a driver the Spark launcher starts in the same container, the connectors'
 * sentences when something is missing, the launcher's refusal of a server the hub did not start. (Spawned by the
 * hub, on the cluster, with Trino and executors: JupyterHubOnKubernetesIT.)
 */
class NotebookImageIT {
    private static final String SPARK_VERSION = System.getProperty("spark.version");
    private static final String PANDAS_VERSION = System.getProperty("pandas.version");

    @Test
    void theBaseHoldsJupyterLabTheConnectorsAndPySparkAtTheClustersSpark() {
        ContainerExit exit = run(container("notebook").withCommand("cli", "python3", "-c", """
                import os, jupyterlab, jupyterhub, pandas, pyarrow, trino, sql, matplotlib, nbclient, py4j, pyspark
                import dataplatform_notebook
                print('uid', os.getuid(), 'home', os.getcwd())
                print('pyspark', pyspark.__version__, 'pandas', pandas.__version__, 'jupyterlab', jupyterlab.__version__)
                print('tutorials', sorted(os.listdir('/opt/platform/tutorials')))
                """));
        assertThat(exit.code()).as(exit.logs()).isZero();
        assertThat(exit.logs()).contains("uid 1000 home /home/jovyan",
                "pyspark " + SPARK_VERSION + " pandas " + PANDAS_VERSION + " jupyterlab " + System.getProperty("jupyterlab.version"),
                "tutorials ['01-sql-on-trino.ipynb', '02-pandas.ipynb', '03-pyspark-on-the-lakehouse.ipynb']");
    }

    @Test
    void sparkSessionJoinsADriverTheSparkLauncherStartsInTheContainer() {
        // The cluster's part (executors as pods, the lakehouse) is tested on the cluster; here the driver runs its
        // tasks itself (local master), which is all PySpark's gateway needs to be proven.
        ContainerExit exit = run(container("notebook").withEnv("SPARK_MASTER_URL", "local[2]")
                .withEnv("JUPYTERHUB_USER", "alice").withCommand("cli", "python3", "-c", """
                import time
                from dataplatform_notebook import spark_session, stop_spark
                from pyspark.sql import functions as F
                started = time.monotonic()
                spark = spark_session(executors_ready=0)
                print('started in', round(time.monotonic() - started, 1), 's; master', spark.sparkContext.master,
                      'version', spark.version, 'app', spark.sparkContext.appName)
                cells = spark.range(0, 1000).select((F.col('id') % 10).alias('cell'), (F.col('id') * 7 % 100).alias('load'))
                frame = cells.groupBy('cell').agg(F.avg('load').alias('avg_load')).orderBy('cell').toPandas()
                print('cells', len(frame), 'mean', round(float(frame['avg_load'].mean()), 1))
                print('again the same session:', spark_session(executors_ready=0) is spark)
                print('stopped', stop_spark())
                """));
        assertThat(exit.code()).as(exit.logs()).isZero();
        assertThat(exit.logs()).contains("master local[2] version " + SPARK_VERSION + " app notebook-alice",
                "cells 10 mean 49.5", "again the same session: True", "stopped True");
        exit.logs().lines().filter(line -> line.startsWith("started in")).findFirst().ifPresent(line ->
                System.out.println("[notebook] first spark_session() in a container (driver JVM and gateway, local "
                        + "master): " + line.substring("started in ".length(), line.indexOf(';'))));
    }

    @Test
    void theConnectorsSayWhatIsMissingInsteadOfAStackTrace() {
        ContainerExit exit = run(container("notebook").withEnv("KERBEROS_REALM", "PLATFORM.EXAMPLE")
                .withEnv("JUPYTERHUB_USER", "alice").withCommand("cli", "python3", "-c", """
                from dataplatform_notebook import ConnectorError, spark_session, trino_query
                for attempt in (lambda: spark_session(), lambda: trino_query('SELECT 1')):
                    try:
                        attempt()
                    except ConnectorError as error:
                        print('refused:', error)
                """));
        assertThat(exit.code()).as(exit.logs()).isZero();
        assertThat(exit.logs()).contains(
                "refused: no Spark here: SPARK_MASTER_URL is not set: the hub gives your server no Spark cluster (ask "
                        + "the platform team); you have no Kerberos ticket, and Spark reads the lakehouse as you: run "
                        + "`kinit alice@PLATFORM.EXAMPLE` in a terminal",
                "refused: TRINO_URL is not set: this server was not started by the platform's JupyterHub");
    }

    @Test
    void kinitInAServerFindsTheRealmTheLauncherRenderedAndTheOneTicketCache() {
        ContainerExit exit = run(container("notebook").withEnv("KERBEROS_REALM", "PLATFORM.EXAMPLE")
                .withEnv("KERBEROS_KDC", "kdc.platform.example:88").withEnv("HDFS_NAMENODE", "namenode.platform.example:8020")
                .withEnv("SPARK_MASTER_URL", "local[1]")
                .withCommand("cli", "sh", "-c", "klist -V; cat /etc/krb5.conf; klist; echo klist=$?; "
                        // The Spark launcher itself (what spark_session() starts), asked for a driver without a ticket.
                        + "python3 -c 'import json, os, subprocess, sys; sys.exit(subprocess.run(json.loads("
                        + "os.environ[\"PLATFORM_SPARK_ENTRYPOINT\"]) + [\"submit\", \"pyspark-shell\"]).returncode)'; "
                        + "echo driver=$?"));
        assertThat(exit.code()).as(exit.logs()).isZero();
        assertThat(exit.logs()).contains("Kerberos 5 version", "default_realm = PLATFORM.EXAMPLE",
                "kdc = kdc.platform.example:88",
                // No ticket yet: klist looks where kinit writes and the Spark driver reads (KRB5CCNAME).
                "/tmp/krb5cc_notebook", "klist=1",
                "spark: no Kerberos ticket in /tmp/krb5cc_notebook (KRB5CCNAME), and no KERBEROS_PRINCIPAL: run "
                        + "`kinit <you>@PLATFORM.EXAMPLE` first", "spark: the submit was not started", "driver=1");
    }

    @Test
    void aServerTheHubDidNotStartIsRefusedBeforeJupyterStarts() {
        ContainerExit exit = run(container("notebook").withEnv("JUPYTERHUB_USER", "alice"));
        assertThat(exit.code()).isEqualTo(1);
        assertThat(exit.logs()).contains("platform launcher: JUPYTERHUB_API_TOKEN is not set",
                "platform launcher: JUPYTERHUB_API_URL is not set",
                "platform launcher: the notebook server was not started");
    }

    @Test
    void theDerivedEnvironmentsAddTheirLibrariesOverTheSameBase() {
        ContainerExit geo = run(container("notebook-geo").withCommand("cli", "python3", "-c", """
                import geopandas, pandas, pyspark
                from shapely.geometry import Point
                cells = geopandas.GeoDataFrame({'cell': ['a', 'b']}, geometry=[Point(2.35, 48.85), Point(4.83, 45.76)],
                                               crs='EPSG:4326').to_crs('EPSG:2154')
                print('pandas', pandas.__version__, 'pyspark', pyspark.__version__)
                print('distance km', round(cells.geometry[0].distance(cells.geometry[1]) / 1000))
                """));
        assertThat(geo.code()).as(geo.logs()).isZero();
        assertThat(geo.logs()).contains("pandas " + PANDAS_VERSION + " pyspark " + SPARK_VERSION, "distance km 391");

        ContainerExit ml = run(container("notebook-ml").withCommand("cli", "python3", "-c", """
                import pandas
                from sklearn.linear_model import LogisticRegression
                model = LogisticRegression().fit([[0], [1], [2], [3]], [0, 0, 1, 1])
                print('pandas', pandas.__version__, 'churn at 3:', model.predict([[3]])[0])
                """));
        assertThat(ml.code()).as(ml.logs()).isZero();
        assertThat(ml.logs()).contains("pandas " + PANDAS_VERSION + " churn at 3: 1");
    }

    private static GenericContainer<?> container(String image) {
        GenericContainer<?> container = new GenericContainer<>(PlatformImage.of(image).name());
        ContainerExit.expect(container, Duration.ofMinutes(3));
        return container;
    }

    private static ContainerExit run(GenericContainer<?> container) {
        try (container) {
            return ContainerExit.of(container);
        }
    }
}
