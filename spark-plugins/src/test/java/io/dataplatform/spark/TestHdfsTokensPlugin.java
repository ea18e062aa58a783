package io.dataplatform.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

/** The Kerberized path runs in SparkIcebergIT (executors on standalone workers writing to a Kerberized HDFS). */
class TestHdfsTokensPlugin {
    @Test
    void tokensAreForTheDefaultFileSystemAndTheListedOnes() {
        Configuration hadoop = new Configuration(false);
        hadoop.set("fs.defaultFS", "hdfs://namenode.platform.test:8020");
        SparkConf conf = new SparkConf(false).set(HdfsTokensPlugin.FILE_SYSTEMS,
                "hdfs://namenode.platform.test:8020/warehouse, hdfs://archive.platform.test:8020/cold");

        assertThat(HdfsTokensPlugin.fileSystems(conf, hadoop)).containsExactly(
                URI.create("hdfs://namenode.platform.test:8020"), URI.create("hdfs://archive.platform.test:8020"));
    }

    @Test
    void withoutHadoopSecurityExecutorsGetNothingAndNeedNothing() {
        // Hadoop security is off in this JVM (no core-site.xml saying kerberos).
        assertThat(new HdfsTokensPlugin.Driver().init(null, null)).isEmpty();
        new HdfsTokensPlugin.Executor().init(null, java.util.Map.of());
    }
}
