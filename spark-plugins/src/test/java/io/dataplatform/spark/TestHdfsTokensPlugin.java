package io.dataplatform.spark;

import com.codahale.metrics.MetricRegistry;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.token.Token;
import org.apache.hadoop.security.token.TokenIdentifier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The executor side of the token hand-over, on real Hadoop credentials: the tokens the driver encodes become the
 * executor user's, and the periodic refresh asks the driver and installs what it answers. Obtaining tokens from a
 * Kerberized NameNode runs in SparkIcebergIT (executors on standalone workers writing to a Kerberized HDFS).
 */
class TestHdfsTokensPlugin {
    private static final Text KIND = new Text("HDFS_DELEGATION_TOKEN");

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
    void theDriversTokensBecomeTheExecutorUsersAndAreRefreshed() throws Exception {
        UserGroupInformation executorUser = UserGroupInformation.createRemoteUser("etl");
        FakePluginContext plugin = new FakePluginContext(token("refreshed", "namenode:8020"));
        HdfsTokensPlugin.Executor executor = new HdfsTokensPlugin.Executor();
        executorUser.doAs((PrivilegedExceptionAction<Void>) () -> {
            executor.init(plugin, Map.of(HdfsTokensPlugin.TOKENS, token("first", "namenode:8020")));
            return null;
        });
        try {
            assertThat(identifierOf(executorUser, "namenode:8020")).isEqualTo("first");

            Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
            while (!identifierOf(executorUser, "namenode:8020").equals("refreshed") && Instant.now().isBefore(deadline)) {
                Thread.sleep(20);
            }
            assertThat(identifierOf(executorUser, "namenode:8020")).isEqualTo("refreshed");
            assertThat(plugin.asked).first().isEqualTo(HdfsTokensPlugin.REFRESH_REQUEST);
        }
        finally {
            executor.shutdown();
        }
    }

    @Test
    void withoutHadoopSecurityNothingIsObtainedOrInstalled() throws Exception {
        // Hadoop security is off in this JVM (no core-site.xml saying kerberos): the driver sends no tokens...
        assertThat(new HdfsTokensPlugin.Driver().init(null, null)).isEmpty();
        // ...and an executor given none leaves its user's credentials as they were, and schedules no refresh.
        UserGroupInformation executorUser = UserGroupInformation.createRemoteUser("etl");
        FakePluginContext plugin = new FakePluginContext(token("unexpected", "namenode:8020"));
        HdfsTokensPlugin.Executor executor = new HdfsTokensPlugin.Executor();
        executorUser.doAs((PrivilegedExceptionAction<Void>) () -> {
            executor.init(plugin, Map.of());
            return null;
        });
        Thread.sleep(200);
        assertThat(executorUser.getCredentials().numberOfTokens()).isZero();
        assertThat(plugin.asked).isEmpty();
        executor.shutdown();
    }

    private static String token(String identifier, String service) throws Exception {
        Credentials credentials = new Credentials();
        Token<TokenIdentifier> token = new Token<>(identifier.getBytes(StandardCharsets.UTF_8),
                "password".getBytes(StandardCharsets.UTF_8), KIND, new Text(service));
        credentials.addToken(new Text(service), token);
        return HdfsTokensPlugin.encode(credentials);
    }

    private static String identifierOf(UserGroupInformation user, String service) {
        Token<? extends TokenIdentifier> token = user.getCredentials().getToken(new Text(service));
        return token == null ? "" : new String(token.getIdentifier(), StandardCharsets.UTF_8);
    }

    /** The driver end of the plugin's RPC: answers every ask with the given tokens and records the questions. */
    private static final class FakePluginContext implements PluginContext {
        private final String answer;
        private final List<Object> asked = new CopyOnWriteArrayList<>();

        FakePluginContext(String answer) {
            this.answer = answer;
        }

        @Override
        public MetricRegistry metricRegistry() {
            return new MetricRegistry();
        }

        @Override
        public SparkConf conf() {
            return new SparkConf(false).set(HdfsTokensPlugin.REFRESH, "100ms");
        }

        @Override
        public String executorID() {
            return "1";
        }

        @Override
        public String hostname() {
            return "localhost";
        }

        @Override
        public Map<String, ResourceInformation> resources() {
            return Map.of();
        }

        @Override
        public void send(Object message) {
            throw new UnsupportedOperationException("the plugin only asks");
        }

        @Override
        public Object ask(Object message) {
            asked.add(message);
            return answer;
        }
    }
}
