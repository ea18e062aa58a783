package io.dataplatform.hdfs.authorizer;

import java.net.URI;
import java.time.Duration;

import org.apache.hadoop.conf.Configurable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.server.namenode.INodeAttributeProvider;
import org.apache.hadoop.hdfs.server.namenode.INodeAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NameNode's {@code dfs.namenode.inode.attributes.provider.class}: leaves inode attributes as they are and
 * hands the NameNode {@link OpaAccessControlEnforcer}, which asks OPA at {@value #URL}. Without a URL, HDFS
 * permissions alone decide (said so at start).
 *
 * <table>
 * <caption>Settings (hdfs-site.xml / the image's hadoop-server.xml)</caption>
 * <tr><td>{@value #URL}</td><td>OPA's address, e.g. http://opa.platform.svc:8181 (empty: not used)</td></tr>
 * <tr><td>{@value #CACHE_SECONDS}</td><td>how long a decision is reused, default 30</td></tr>
 * <tr><td>{@value #CACHE_SIZE}</td><td>decisions kept, default 100000</td></tr>
 * <tr><td>{@value #TIMEOUT_MS}</td><td>how long to wait for OPA before denying, default 2000</td></tr>
 * </table>
 */
public class OpaAuthorizationProvider extends INodeAttributeProvider implements Configurable {
    static final String URL = "platform.hdfs.opa.url";
    static final String CACHE_SECONDS = "platform.hdfs.opa.cache.seconds";
    static final String CACHE_SIZE = "platform.hdfs.opa.cache.size";
    static final String TIMEOUT_MS = "platform.hdfs.opa.timeout.ms";

    private static final Logger LOG = LoggerFactory.getLogger(OpaAuthorizationProvider.class);

    private Configuration configuration = new Configuration(false);
    private OpaAccessControlEnforcer enforcer;

    @Override
    public void setConf(Configuration configuration) {
        this.configuration = configuration;
    }

    @Override
    public Configuration getConf() {
        return configuration;
    }

    @Override
    public void start() {
        String url = configuration.getTrimmed(URL, "");
        if (url.isEmpty()) {
            LOG.warn("platform authoriser: {} is not set: HDFS permissions and ACLs alone decide", URL);
            return;
        }
        URI uri = URI.create(url.replaceAll("/+$", "") + "/");
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("%s = '%s' is not OPA's http(s) address".formatted(URL, url));
        }
        OpaClient opa = new OpaClient(uri, Duration.ofMillis(configuration.getLong(TIMEOUT_MS, 2000)));
        enforcer = new OpaAccessControlEnforcer(opa, Duration.ofSeconds(configuration.getLong(CACHE_SECONDS, 30)),
                configuration.getLong(CACHE_SIZE, 100_000));
        LOG.info("platform authoriser: every access decided by OPA at {} (decisions cached {} s, fail closed)",
                opa.decisionUri(), configuration.getLong(CACHE_SECONDS, 30));
    }

    @Override
    public void stop() {
        if (enforcer != null) {
            LOG.info("platform authoriser: decision cache {}", enforcer.cacheStatistics());
        }
    }

    @Override
    public INodeAttributes getAttributes(String[] pathElements, INodeAttributes inode) {
        return inode;
    }

    @Override
    public AccessControlEnforcer getExternalAccessControlEnforcer(AccessControlEnforcer defaultEnforcer) {
        // Called for every operation, with that operation's HDFS permission checker.
        return enforcer == null ? defaultEnforcer : enforcer.over(defaultEnforcer);
    }
}
