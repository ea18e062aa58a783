package io.dataplatform.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.io.DataOutputBuffer;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * HDFS delegation tokens for executors of a standalone cluster. Spark's own token manager runs only with YARN and
 * Kubernetes, so on a standalone cluster executors of a Kerberos-authenticated driver cannot reach a Kerberized HDFS.
 * The driver (logged in from its keytab or a ticket cache) obtains tokens for the default file system and those in
 * {@code spark.kerberos.access.hadoopFileSystems}; executors add them to their user at start and ask the driver for
 * fresh ones every {@code spark.platform.hdfs.tokens.refresh} (default 8h, well inside HDFS's one-day renew
 * interval). Does nothing when Hadoop security is off. Registered through {@code spark.plugins}.
 */
public class HdfsTokensPlugin implements SparkPlugin {
    public static final String REFRESH = "spark.platform.hdfs.tokens.refresh";
    static final String FILE_SYSTEMS = "spark.kerberos.access.hadoopFileSystems";
    static final String TOKENS = "tokens";
    static final String REFRESH_REQUEST = "refresh-hdfs-tokens";

    @Override
    public DriverPlugin driverPlugin() {
        return new Driver();
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new Executor();
    }

    static final class Driver implements DriverPlugin {
        private Configuration hadoop;
        private List<URI> fileSystems;

        @Override
        public Map<String, String> init(SparkContext context, PluginContext plugin) {
            if (!UserGroupInformation.isSecurityEnabled()) {
                return Map.of();
            }
            hadoop = context.hadoopConfiguration();
            fileSystems = fileSystems(context.getConf(), hadoop);
            String tokens = obtain();
            System.out.println(ProgressListener.PREFIX + "HDFS delegation tokens for " + fileSystems + " obtained as "
                    + user() + "; executors receive them at start");
            return Map.of(TOKENS, tokens);
        }

        @Override
        public Object receive(Object message) {
            if (REFRESH_REQUEST.equals(message)) {
                return obtain();
            }
            throw new IllegalArgumentException("unknown message " + message);
        }

        private String obtain() {
            try {
                UserGroupInformation user = UserGroupInformation.getCurrentUser();
                if (user.isFromKeytab()) {
                    user.checkTGTAndReloginFromKeytab();
                }
                Credentials credentials = new Credentials();
                for (URI fileSystem : fileSystems) {
                    FileSystem.get(fileSystem, hadoop).addDelegationTokens(user.getShortUserName(), credentials);
                }
                if (credentials.numberOfTokens() == 0) {
                    throw new IOException("no NameNode issued a delegation token");
                }
                return encode(credentials);
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot obtain HDFS delegation tokens for " + fileSystems + " as "
                        + user(), e);
            }
        }

        private static String user() {
            try {
                return UserGroupInformation.getCurrentUser().getUserName();
            }
            catch (IOException e) {
                return "?";
            }
        }
    }

    /** The driver's tokens as the text a plugin message carries. */
    static String encode(Credentials credentials) throws IOException {
        DataOutputBuffer buffer = new DataOutputBuffer();
        credentials.writeTokenStorageToStream(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.getData(), buffer.getLength()));
    }

    static Credentials decode(String tokens) throws IOException {
        Credentials credentials = new Credentials();
        credentials.readTokenStorageStream(new DataInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(tokens))));
        return credentials;
    }

    static List<URI> fileSystems(SparkConf conf, Configuration hadoop) {
        Set<URI> fileSystems = new LinkedHashSet<>();
        fileSystems.add(FileSystem.getDefaultUri(hadoop));
        for (String location : conf.get(FILE_SYSTEMS, "").split(",")) {
            if (!location.isBlank()) {
                URI uri = URI.create(location.strip());
                fileSystems.add(URI.create(uri.getScheme() + "://" + uri.getAuthority()));
            }
        }
        return new ArrayList<>(fileSystems);
    }

    static final class Executor implements ExecutorPlugin {
        private ScheduledExecutorService refresher;

        @Override
        public void init(PluginContext plugin, Map<String, String> extraConf) {
            String tokens = extraConf.get(TOKENS);
            if (tokens == null) {
                return;
            }
            // The user the executor runs tasks as; the refresh thread installs tokens for it explicitly (a thread of
            // our own does not carry the caller's Subject on every JDK).
            UserGroupInformation user = currentUser();
            add(user, tokens);
            long refresh = plugin.conf().getTimeAsMs(REFRESH, "8h");
            refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "hdfs-token-refresh");
                thread.setDaemon(true);
                return thread;
            });
            refresher.scheduleAtFixedRate(() -> {
                try {
                    add(user, (String) plugin.ask(REFRESH_REQUEST));
                }
                catch (Exception e) {
                    System.err.println("hdfs tokens: the refresh failed; the current tokens stay in use: " + e);
                }
            }, refresh, refresh, TimeUnit.MILLISECONDS);
        }

        @Override
        public void shutdown() {
            if (refresher != null) {
                refresher.shutdownNow();
            }
        }

        private static UserGroupInformation currentUser() {
            try {
                return UserGroupInformation.getCurrentUser();
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot tell which user the executor runs as", e);
            }
        }

        static void add(UserGroupInformation user, String tokens) {
            try {
                user.addCredentials(decode(tokens));
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot add the driver's HDFS delegation tokens", e);
            }
        }
    }
}
